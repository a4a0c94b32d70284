# METADATA
# title: ServiceAccount subject and binding hygiene
# description: |
#   Binding mistakes around ServiceAccounts: (a) a ClusterRoleBinding
#   ServiceAccount subject without namespace (rejected by the API, so the
#   intended grant silently does not exist), (b) a User subject spelled as a
#   ServiceAccount username (effective, but hidden from tools that only read
#   ServiceAccount subjects), (c) a subject naming a ServiceAccount that does
#   not exist (whoever creates it inherits the grant), (d) a roleRef to a role
#   that does not exist (it becomes live when someone creates it), (e) a
#   ServiceAccount subject with an apiGroup (rejected). (c) and (d) need the
#   whole cluster: live scans or --corpus-complete.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding
# custom:
#   id: SA014
#   severity: low
#   family: rbac
#   remediation: |
#     Use kind: ServiceAccount subjects with an explicit namespace and no apiGroup, and delete
#     bindings whose subject or role does not exist.
#   example: |
#     # A ServiceAccount subject: kind ServiceAccount, explicit namespace, no apiGroup.
#     apiVersion: v1
#     kind: ServiceAccount
#     metadata: {name: reloader, namespace: web}
#     ---
#     apiVersion: rbac.authorization.k8s.io/v1
#     kind: RoleBinding
#     metadata: {name: reloader-view, namespace: web}
#     roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
#     subjects:
#       - {kind: ServiceAccount, name: reloader, namespace: web}
#   modes: [manifest, cluster]
package sascan.rules.rbac.binding_hygiene

import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.rbac
import data.sascan.lib.result

# (a)
findings contains f if {
	some b in rbac.bindings
	rbac.cluster_binding(b)
	some i, subj in rbac.subjects(b)
	subj.kind == "ServiceAccount"
	object.get(subj, "namespace", "") == ""
	f := finding(b, i, "low", "a", sprintf("ServiceAccount subject %q has no namespace; the API rejects it in a ClusterRoleBinding", [subj.name]))
}

# (b) and (c) read the subjects that name a ServiceAccount from the access
# model's direct grants.
findings contains f if {
	some sa, grants in rbac.model.direct
	some [id, i] in grants
	b := rbac.bindings[id]
	subj := rbac.subjects(b)[i]
	subj.kind == "User"
	f := finding(b, i, "medium", "b", sprintf("User subject %q is ServiceAccount %s under another kind", [subj.name, sa]))
}

# (c)
findings contains f if {
	some sa, grants in rbac.model.direct
	params.complete_in(split(sa, "/")[0])
	not k8s.service_accounts[sa]
	not endswith(sa, "/default")
	some [id, i] in grants
	b := rbac.bindings[id]
	subj := rbac.subjects(b)[i]
	subj.kind == "ServiceAccount"
	tier := rbac.top_tier(rbac.binding_capabilities[id])
	f := finding(b, i, missing_sa_severity(tier), "c", sprintf("ServiceAccount %s does not exist; whoever creates it gets this grant", [sa]))
}

# (d)
findings contains f if {
	some b in rbac.bindings
	params.complete_in(role_namespace(b))
	not rbac.binding_role(b).known
	not builtin_role(b.object.roleRef)
	f := result.finding(b, "roleRef", sprintf("%s %s refers to %s %s, which does not exist", [b.kind, b.name, b.object.roleRef.kind, b.object.roleRef.name]), {"evidence": {"subCheck": "d"}, "severity": "low"})
}

# (e)
findings contains f if {
	some b in rbac.bindings
	some i, subj in rbac.subjects(b)
	subj.kind == "ServiceAccount"
	object.get(subj, "apiGroup", "") != ""
	f := finding(b, i, "low", "e", sprintf("ServiceAccount subject %q has apiGroup %q; the API rejects it", [subj.name, subj.apiGroup]))
}

# Where the role a binding refers to lives: a Role in the binding's
# namespace, a ClusterRole nowhere.
role_namespace(b) := b.namespace if b.object.roleRef.kind == "Role"

else := ""

finding(b, i, severity, sub, message) := result.finding(b, sprintf("subjects[%d]", [i]), message, {"severity": severity, "evidence": {"subCheck": sub}})

missing_sa_severity(tier) := "medium" if tier < 2

else := "low"

# Roles every cluster has.
builtin_role(ref) if {
	ref.kind == "ClusterRole"
	ref.name in {"cluster-admin", "admin", "edit", "view"}
}

builtin_role(ref) if {
	ref.kind == "ClusterRole"
	startswith(ref.name, "system:")
}
