# METADATA
# title: ServiceAccount holds dangerous permissions
# description: |
#   Grades what a ServiceAccount can do through every binding that applies to
#   it (direct subjects, User subjects spelled as its username, and the
#   ServiceAccount groups), with aggregated roles resolved: tier 0 (cluster
#   takeover) is Critical, tier 1 (namespace takeover or credential theft) is
#   High, tier 2 is Medium. Tier-1 grants cluster-wide or in kube-system count
#   as tier 0. One level lower when the ServiceAccount is dormant: no pod in
#   the scan runs as it with a token and no token Secret names it.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/
# custom:
#   id: SA013
#   severity: high
#   family: rbac
#   remediation: |
#     Replace wildcards with explicit verbs and resources, narrow with resourceNames where the
#     resource allows it, bind with RoleBindings instead of ClusterRoleBindings, split
#     high-privilege functions into their own ServiceAccounts and pods, and keep those pods off
#     untrusted nodes.
#   example: |
#     # Explicit verbs and resources, narrowed by resourceNames, bound in one
#     # namespace.
#     apiVersion: rbac.authorization.k8s.io/v1
#     kind: Role
#     metadata: {name: config-reloader, namespace: web}
#     rules:
#       - apiGroups: [""]
#         resources: [configmaps]
#         resourceNames: [web-config]
#         verbs: [get, watch]
#     ---
#     apiVersion: rbac.authorization.k8s.io/v1
#     kind: RoleBinding
#     metadata: {name: config-reloader, namespace: web}
#     roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: config-reloader}
#     subjects:
#       - {kind: ServiceAccount, name: reloader, namespace: web}
#   modes: [manifest, cluster]
package sascan.rules.rbac.dangerous_permissions

import data.sascan.lib.k8s
import data.sascan.lib.rbac
import data.sascan.lib.result

findings contains f if {
	some key in rbac.sa_keys
	[ns, name] := split(key, "/")
	caps := rbac.sa_capabilities(ns, name)
	tier := rbac.top_tier(caps)
	tier < 3
	dormant := is_dormant(ns, name)
	target := anchor(key, caps)
	f := result.finding(target.obj, target.path, message(key, tier, dormant), {
		"severity": result.lower(rbac.tier_severity(tier), to_number(dormant)),
		"confidence": "likely",
		"evidence": {
			"serviceAccount": key,
			"privilegeTier": rbac.tier_name(tier),
			"dormant": dormant,
			"capabilities": sort([sprintf("%s %s via %s %s (%s)", [c.id, rbac.tier_name(c.tier), rbac.bindings[c.binding].kind, rbac.bindings[c.binding].name, c.scope]) | some c in caps]),
		},
		"related": [{"object": c.binding, "path": ""} | some c in caps; c.tier == tier],
	})
}

# Report on the ServiceAccount when the scan has it, else on a binding that
# grants its top tier.
anchor(key, _) := {"obj": sa, "path": ""} if {
	sa := k8s.service_accounts[key]
} else := {"obj": rbac.bindings[id], "path": ""} if {
	top := rbac.top_tier(caps_of(key))
	id := min({c.binding | some c in caps_of(key); c.tier == top})
}

caps_of(key) := rbac.sa_capabilities(parts[0], parts[1]) if parts := split(key, "/")

message(key, tier, true) := sprintf("ServiceAccount %s holds %s permissions (no workload or token in the scan uses it)", [key, rbac.tier_name(tier)])

message(key, tier, false) := sprintf("ServiceAccount %s holds %s permissions", [key, rbac.tier_name(tier)])

default is_dormant(_, _) := true

is_dormant(ns, name) := false if k8s.key(ns, name) in active

# ServiceAccounts whose token is in use: a pod spec runs as them with a
# token, or a token Secret names them.
active := {k |
	some ps in k8s.pod_specs
	not ps.static
	count(ps.tokenContainers) > 0
	k := ps.saKey
} | {k |
	some s in k8s.token_secrets
	k := k8s.key(s.namespace, object.get(k8s.annotations(s), k8s.sa_name_annotation, ""))
}
