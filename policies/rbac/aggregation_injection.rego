# METADATA
# title: ClusterRole aggregation injects dangerous rules into an aggregated role
# description: |
#   A ClusterRole carrying an aggregation label adds its rules to every
#   aggregated role that selects it, and so to every binding of that role
#   (typically thousands of RoleBindings to admin, edit or view). High when it
#   adds a tier-0 or tier-1 capability the aggregated role did not have,
#   Medium for tier 2. The built-in view role is documented not to read
#   Secrets.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles
# custom:
#   id: SA015
#   severity: high
#   family: rbac
#   remediation: |
#     Remove the aggregation label or the dangerous rule, and grant the capability through a
#     dedicated role and binding.
#   example: |
#     # The extension role is aggregated into view with read-only rules; a
#     # dangerous capability gets its own role and binding instead.
#     apiVersion: rbac.authorization.k8s.io/v1
#     kind: ClusterRole
#     metadata:
#       name: widgets-view
#       labels:
#         rbac.authorization.k8s.io/aggregate-to-view: "true"
#     rules:
#       - apiGroups: [example.com]
#         resources: [widgets]
#         verbs: [get, list, watch]
#   modes: [manifest, cluster]
package sascan.rules.rbac.aggregation_injection

import data.sascan.lib.k8s
import data.sascan.lib.rbac
import data.sascan.lib.result

findings contains f if {
	some agg, selected in rbac.edges
	some name in selected
	own := _own[name]
	c := k8s.cluster_roles[name]
	without := without_ids(agg, name)
	added := {x | some x in own; not x.id in without}
	count(added) > 0
	tier := min({x.tier | some x in added})
	f := result.finding(c, "metadata.labels", sprintf("ClusterRole %s adds %s to aggregated ClusterRole %s", [name, concat(", ", sort([x.id | some x in added])), agg]), {
		"severity": severity(tier),
		"evidence": {"aggregatedRole": agg, "added": sort([x.id | some x in added])},
		"related": [{"object": k8s.cluster_roles[agg].id, "path": "aggregationRule"}],
	})
}

# The capabilities each ClusterRole that some aggregated role selects grants
# on its own, once per role however many aggregated roles select it: only
# roles that are not aggregated themselves nor bootstrap, and grant
# something.
_own := {name: own |
	some name in {n | some selected in rbac.edges; some n in selected}
	c := k8s.cluster_roles[name]
	not rbac.aggregated(c)
	not rbac.bootstrap(c)
	own := rbac.capability_ids(rbac.rules_of(c), "*")
	count(own) > 0
}

severity(tier) := "high" if tier < 2

else := "medium"

# The roles whose rules an aggregated role draws (non-aggregated, in its
# closure) and the capability ids each grants on its own.
members := {agg: {m |
	some m in rbac.aggregation_closure(agg)
	m != agg
	not rbac.aggregated(k8s.cluster_roles[m])
} |
	some agg, _ in rbac.edges
}

_raw_ids := {m: rbac.raw_capability_ids(rbac.rules_of(k8s.cluster_roles[m]), "*") |
	some m in {m | some ms in members; some m in ms}
}

# How many members grant each raw capability id: computed once per
# aggregated role, so leaving one member out is a subtraction, not a
# union over the others.
_id_counts := {agg: {id: count({m | some m in ms; id in _raw_ids[m]}) |
	some id in {id | some m in ms; some id in _raw_ids[m]}
} |
	some agg, ms in members
}

# The capability ids the aggregated role would hold without member name,
# as the controller would compute it.
without_ids(agg, name) := rbac.combined_ids({id |
	some id, n in _id_counts[agg]
	n > to_number(id in object.get(_raw_ids, name, set()))
})
