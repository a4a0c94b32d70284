# METADATA
# title: The default ServiceAccount is granted RBAC permissions
# description: |
#   Permissions bound to a namespace's default ServiceAccount reach every pod in
#   that namespace that does not name a ServiceAccount. Medium when the grant
#   exceeds the discovery baseline, High with a tier-1 permission, Critical
#   with a tier-0 permission (cluster-wide or kube-system grants of tier-1
#   permissions count as tier 0).
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#service-account-permissions
# - ref: https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts
# custom:
#   id: SA011
#   severity: medium
#   family: rbac
#   remediation: |
#     Create a dedicated ServiceAccount for the workload that needs the permissions, move the
#     binding's subject to it, and set automountServiceAccountToken: false on the default
#     ServiceAccount.
#   example: |
#     # The binding names a dedicated ServiceAccount, not default.
#     apiVersion: v1
#     kind: ServiceAccount
#     metadata: {name: deployer, namespace: ci}
#     ---
#     apiVersion: rbac.authorization.k8s.io/v1
#     kind: RoleBinding
#     metadata: {name: deployer-edit, namespace: ci}
#     roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
#     subjects:
#       - {kind: ServiceAccount, name: deployer, namespace: ci}
#   modes: [manifest, cluster]
package sascan.rules.rbac.default_sa_bound

import data.sascan.lib.rbac
import data.sascan.lib.result

# The subjects that name a ServiceAccount (by kind ServiceAccount or as a
# User spelled as its username) are the access model's direct grants.
findings contains f if {
	some sa, grants in rbac.model.direct
	endswith(sa, "/default")
	some [id, i] in grants
	rbac.binding_exceeds[id]
	b := rbac.bindings[id]
	role := rbac.binding_role(b)
	caps := rbac.binding_capabilities[id]
	tier := rbac.top_tier(caps)
	f := result.finding(b, sprintf("subjects[%d]", [i]), message(b, sa), {
		"severity": severity(role, tier),
		"confidence": confidence(role),
		"evidence": {
			"serviceAccount": sa,
			"roleRef": sprintf("%s/%s", [b.object.roleRef.kind, b.object.roleRef.name]),
			"roleKnown": role.known,
			"scope": rbac.binding_scope(b),
			"privilegeTier": rbac.tier_name(tier),
			"capabilities": sort([c.id | some c in caps]),
		},
	})
}

message(b, sa) := sprintf("%s %s grants %s/%s to ServiceAccount %s", [b.kind, b.name, b.object.roleRef.kind, b.object.roleRef.name, sa])

severity(role, tier) := "medium" if {
	not role.known
} else := "critical" if {
	tier == 0
} else := "high" if {
	tier == 1
} else := "medium"

confidence(role) := "likely" if {
	not role.known
} else := "certain"
