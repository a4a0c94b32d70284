# METADATA
# title: Permissions granted to ServiceAccount groups or all authenticated users
# description: |
#   A binding to system:serviceaccounts, system:serviceaccounts:<namespace> or
#   system:authenticated hands its rules to every pod token in scope. Severity
#   grows with the scope of the group and the tier of what the role grants.
#   The bootstrap discovery bindings are not findings.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#service-account-permissions
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles
# custom:
#   id: SA012
#   severity: medium
#   family: rbac
#   remediation: |
#     Bind the specific ServiceAccounts that need the permissions instead of a group.
#   example: |
#     # Bind the ServiceAccounts that need the role, not system:serviceaccounts.
#     apiVersion: rbac.authorization.k8s.io/v1
#     kind: RoleBinding
#     metadata: {name: metrics-readers, namespace: monitoring}
#     roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
#     subjects:
#       - {kind: ServiceAccount, name: prometheus, namespace: monitoring}
#   modes: [manifest, cluster]
package sascan.rules.rbac.sa_group_bound

import data.sascan.lib.rbac
import data.sascan.lib.result

# The Group subjects that include ServiceAccounts are the access model's
# group grants.
findings contains f if {
	some grants in rbac.model.groups
	some [id, i] in grants
	b := rbac.bindings[id]
	subj := rbac.subjects(b)[i]
	not bootstrap_subject(b, subj)
	rbac.binding_exceeds[id]
	role := rbac.binding_role(b)
	caps := rbac.binding_capabilities[id]
	tier := rbac.top_tier(caps)
	f := result.finding(b, sprintf("subjects[%d]", [i]), message(b, subj), {
		"severity": severity(b, subj, tier),
		"confidence": confidence(role),
		"evidence": {
			"group": subj.name,
			"roleRef": sprintf("%s/%s", [b.object.roleRef.kind, b.object.roleRef.name]),
			"roleKnown": role.known,
			"scope": rbac.binding_scope(b),
			"privilegeTier": rbac.tier_name(tier),
			"capabilities": sort([c.id | some c in caps]),
			"reach": reach(subj.name),
		},
	})
}

# Whom the grant reaches: how many ServiceAccounts are in the group, how
# many workloads hold one of their tokens, and the first few accounts.
reach(grp) := {"serviceAccounts": count(rbac.model.serviceAccounts), "tokenHoldingWorkloads": rbac.model.tokenHolders, "sample": array.slice(rbac.model.serviceAccounts, 0, rbac.model.sampleSize)} if {
	grp in rbac.sa_groups_all
} else := {"serviceAccounts": n.serviceAccounts, "tokenHoldingWorkloads": n.tokenHolders, "sample": n.sample} if {
	ns := trim_prefix(grp, "system:serviceaccounts:")
	n := rbac.model.namespaces[ns]
} else := {"serviceAccounts": 0, "tokenHoldingWorkloads": 0, "sample": []}

# A bootstrap binding names its groups by design (the bundled bootstrap
# policy says which); another subject added to it, on a live cluster too,
# is still a finding.
bootstrap_subject(b, subj) if subj.name in rbac.model.bindings[b.id].bootstrapGroups

message(b, subj) := sprintf("%s %s grants %s/%s to group %s", [b.kind, b.name, b.object.roleRef.kind, b.object.roleRef.name, subj.name])

# Tiers are after scope upgrade, so a cluster-wide or kube-system tier-1
# grant is already tier 0 here.
severity(_, _, 0) := "critical"

severity(b, subj, tier) := "high" if {
	tier != 0
	rbac.cluster_binding(b)
	subj.name in rbac.sa_groups_all
}

severity(b, subj, 1) := "high" if not _wide_cluster(b, subj)

severity(b, subj, tier) := "medium" if {
	tier > 1
	not _wide_cluster(b, subj)
}

_wide_cluster(b, subj) if {
	rbac.cluster_binding(b)
	subj.name in rbac.sa_groups_all
}

confidence(role) := "likely" if {
	not role.known
} else := "certain"
