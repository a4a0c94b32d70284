# METADATA
# title: System allow-list
# description: |
#   Recognised control-plane and bootstrap objects, whose
#   findings are lowered one severity level (modifier b), never dropped.
#   Built in: bootstrap RBAC objects (system: names kept up to date by the
#   API server) and the kube-system ServiceAccounts of the built-in
#   controllers; users add entries with settings.systemAllowList.
package sascan.lib.allowlist

import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.rbac

# reason returns why an object is allow-listed; undefined when it is not.
reason(obj) := "bootstrap RBAC object" if {
	obj.group == "rbac.authorization.k8s.io"
	rbac.bootstrap(obj)
} else := "built-in controller ServiceAccount" if {
	obj.kind == "ServiceAccount"
	obj.namespace == "kube-system"
	obj.name in k8s.controller_service_accounts
} else := "built-in controller ServiceAccount" if {
	# A binding whose every subject is a built-in controller's account.
	obj.kind in {"RoleBinding", "ClusterRoleBinding"}
	subjects := rbac.model.bindings[obj.id].subjects
	count(subjects) > 0
	every s in subjects {
		s.serviceAccount in _controller_keys
	}
} else := concat("", ["systemAllowList: ", entry_text(e)]) if {
	some e in object.get(params.params, "systemAllowList", [])
	matches(e, obj)
}

# Globs have no delimiters: "*" matches dots too (rules/glob.go has the
# dialect, shared with the config's exceptions).
_controller_keys := {concat("/", ["kube-system", n]) | some n in k8s.controller_service_accounts}

matches(e, obj) if {
	glob.match(object.get(e, "kind", "*"), null, obj.kind)
	glob.match(object.get(e, "namespace", "*"), null, obj.namespace)
	glob.match(object.get(e, "name", "*"), null, obj.name)
}

entry_text(e) := sprintf("%s %s/%s", [object.get(e, "kind", "*"), object.get(e, "namespace", "*"), object.get(e, "name", "*")])
