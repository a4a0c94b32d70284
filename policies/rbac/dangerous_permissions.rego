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
import data.sascan.lib.params
import data.sascan.lib.rbac
import data.sascan.lib.result

findings contains f if {
	some key in rbac.sa_keys
	[ns, _] := split(key, "/")
	tier := rbac.sa_key_top_tier(key)
	tier < 3
	direct := rbac.direct_bindings(key)
	dormant := is_dormant(key)
	caps := sort({t | some id in direct; some t in capability_texts(id)})
	groups := _namespace_groups(ns)
	f := result.finding(anchor(key, ns, direct, tier), "", message(key, tier, dormant), {
		"severity": result.lower(rbac.tier_severity(tier), to_number(dormant)),
		"confidence": "likely",
		"evidence": {
			"serviceAccount": key,
			"privilegeTier": rbac.tier_name(tier),
			"dormant": dormant,
			"capabilities": array.slice(caps, 0, result.list_cap),
			"capabilitiesTotal": count(caps),
			"groupGrants": groups.texts,
		},
		"related": [{"object": id, "path": ""} | some id in related(direct, groups.firsts)],
	})
}

# What the ServiceAccount groups grant the accounts of namespace ns, once
# per namespace: the grants, their texts and the first binding of each.
_namespace_groups(ns) := {
	"grants": groups,
	"texts": [group_text(grp, gg) | some grp, gg in groups],
	"firsts": {gg.first | some gg in groups},
} if groups := rbac.sa_group_grants(ns)

# The bindings that name the ServiceAccount (each once), then the first
# binding that gives each of its groups' top tier.
related(direct_bindings, firsts) := array.concat(
	array.slice(sort(direct_bindings), 0, result.list_cap),
	sort(firsts - direct_bindings),
)

# What binding id grants, one text per capability; computed once per
# binding however many ServiceAccounts it names.
capability_texts(id) := {sprintf("%s %s via %s %s (%s)", [c.id, rbac.tier_name(c.tier), b.kind, b.name, c.scope]) |
	some c in rbac.binding_capabilities[id]
} if b := rbac.bindings[id]

# A group's grants are named by reference: the group, its top tier and how
# many bindings give it a capability (each reported once by SA012).
group_text(grp, gg) := sprintf("%s through group %s (%d binding(s))", [rbac.tier_name(gg.tier), grp, count(gg.bindings)])

# Report on the ServiceAccount when the scan has it, else on the first
# binding that grants its top tier.
anchor(key, ns, direct, tier) := sa if {
	sa := k8s.service_accounts[key]
} else := rbac.bindings[id] if {
	id := min({i |
		some i in direct
		some c in rbac.binding_capabilities[i]
		c.tier == tier
	})
} else := rbac.bindings[id] if {
	id := min({i | some gg in _namespace_groups(ns).grants; gg.tier == tier; some i in gg.bindings})
}

message(key, tier, true) := sprintf("ServiceAccount %s holds %s permissions (no workload or token in the scan uses it)", [key, rbac.tier_name(tier)])

message(key, tier, false) := sprintf("ServiceAccount %s holds %s permissions", [key, rbac.tier_name(tier)])

# Whether the ServiceAccount of key "ns/name" is dormant.
default is_dormant(_) := true

# A pod spec runs as the account with a token, or a token Secret names it
# (the access model's heldTokens).
is_dormant(key) := false if rbac.model.heldTokens[key]

# A live scan that did not list the account's namespace cannot tell.
is_dormant(key) := false if {
	params.live
	not params.complete_in(split(key, "/")[0])
}
