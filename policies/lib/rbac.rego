# METADATA
# title: RBAC judgement
# description: |
#   What RBAC grants mean: the discovery baseline, the dangerous-permission
#   catalogue with tiers and scope upgrade, and the capabilities each
#   binding and ServiceAccount holds. Who is bound to what (subjects,
#   roles, aggregation) is the access model the scanner builds once per
#   scan (input.access); the capabilities of a role are computed once per
#   role and scope kind, those of a group once per group.
package sascan.lib.rbac

import data.sascan.lib.k8s
import data.sascan.lib.params

rbac_group := "rbac.authorization.k8s.io"

sa_groups_all := {"system:serviceaccounts", "system:authenticated"}

# The access model the scanner built (rules/input_access.go); empty for an
# input without one.
default model := {
	"roles": {}, "bindings": {}, "direct": {}, "groups": {},
	"serviceAccounts": [], "namespaces": {}, "sampleSize": 0, "tokenHolders": 0, "heldTokens": {},
}

model := input.access

# ---------------------------------------------------------------- bindings

# The bindings of the model (shadowed definitions left out), as inventory
# objects.
bindings := {id: input.objects[id] | some id, _ in model.bindings}

cluster_binding(b) if b.kind == "ClusterRoleBinding"

subjects(b) := s if {
	s := b.object.subjects
	is_array(s)
} else := []

# The ServiceAccount ("ns/name") subject i of binding b names, by kind
# ServiceAccount (namespace defaulted) or by kind User spelled as its
# username; undefined otherwise.
subject_sa_key(b, i) := model.bindings[b.id].subjects[i].serviceAccount

# Group subjects that include ServiceAccounts.
sa_group(name) if model.groups[name]

# The direct grants ([binding id, subject index]) of the ServiceAccount of
# key "ns/name".
_direct_grants(key) := object.get(model.direct, key, [])

sa_groups_of(ns) := {"system:serviceaccounts", concat("", ["system:serviceaccounts:", ns]), "system:authenticated"}

# ------------------------------------------------------------------- roles

aggregated(cr) if model.roles[concat("/", ["ClusterRole", cr.name])].aggregated

# edges[a]: the ClusterRoles aggregated role a selects directly.
edges := {name: {n | some n in r.selects} |
	some key, r in model.roles
	r.aggregated
	name := trim_prefix(key, "ClusterRole/")
}

# The roles aggregated role name draws from, directly or through nested
# aggregated roles, and itself.
aggregation_closure(name) := reached | {b |
	some a in reached
	some b in edges[a]
} if {
	reached := graph.reachable(edges, {name})
}

# The effective rules of a role by key ("ClusterRole/<name>" or
# "Role/<ns>/<name>").
role_rules(key) := {r | some r in model.roles[key].rules}

# The rules a binding grants now, and whether its role is known at all.
binding_role(b) := {"known": true, "rules": role_rules(m.role)} if {
	m := model.bindings[b.id]
	m.known
} else := {"known": false, "rules": set()}

# scope: "*" for cluster-wide, else the binding's namespace.
binding_scope(b) := model.bindings[b.id].scope

# ------------------------------------------------------ discovery baseline

# What every ServiceAccount holds by default is the bootstrap policy's
# grants to system:authenticated, system:unauthenticated and
# system:serviceaccounts, of the scanned version or as the live cluster
# holds them; the access model gives each role's rules beyond it
# (beyondBaseline). Through a RoleBinding a rule that names only
# cluster-scoped resources grants nothing.
exceeds_baseline(key, scope) if {
	some r in model.roles[key].beyondBaseline
	not _granted_nothing(r, scope)
}

_granted_nothing(r, scope) if {
	scope != "*"
	every res in r.resources {
		res != "*"
		cluster_scoped_resource(res)
	}
}

# A binding grants more than the baseline, or its role is unknown (then we
# presume it does).
# A complete rule, computed once: a partial set looked up by key would be
# evaluated again for every lookup.
binding_exceeds := {id |
	some id, m in model.bindings
	_binding_exceeds(m)
}

_binding_exceeds(m) if {
	m.known
	exceeds_baseline(m.role, m.scope)
}

_binding_exceeds(m) if not m.known

sa_exceeds_baseline(ns, name) if {
	some g in _direct_grants(k8s.key(ns, name))
	g[0] in binding_exceeds
}

sa_exceeds_baseline(_, _) if every_sa_exceeds_baseline

sa_exceeds_baseline(ns, _) if ns in _namespace_group_exceeds

# The grants to system:serviceaccounts and system:authenticated apply to
# every ServiceAccount: decided once. When they exceed the baseline, so does
# every account, and a rule about accounts that do not can stop at once.
every_sa_exceeds_baseline if {
	some grp in sa_groups_all
	some g in object.get(model.groups, grp, [])
	g[0] in binding_exceeds
}

_namespace_group_exceeds := {ns |
	some grp, grants in model.groups
	startswith(grp, "system:serviceaccounts:")
	some g in grants
	g[0] in binding_exceeds
	ns := trim_prefix(grp, "system:serviceaccounts:")
}

# -------------------------------------------- dangerous-permission catalogue

cluster_scoped_resources := {
	"nodes", "nodes/proxy", "nodes/status", "persistentvolumes", "clusterroles", "clusterrolebindings",
	"certificatesigningrequests", "certificatesigningrequests/approval", "certificatesigningrequests/status",
	"signers", "mutatingwebhookconfigurations", "validatingwebhookconfigurations",
	"customresourcedefinitions", "users", "groups", "userextras", "uids", "storageclasses",
	"csidrivers", "csinodes", "volumeattachments", "priorityclasses", "runtimeclasses",
	"ingressclasses", "apiservices", "componentstatuses", "tokenreviews", "subjectaccessreviews",
	"selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews",
	"validatingadmissionpolicies", "validatingadmissionpolicybindings",
}

# namespaces is cluster-scoped, but a RoleBinding in N grants it on N.
cluster_scoped_resource(res) if res in cluster_scoped_resources

write_verbs := ["create", "update", "patch"]

# capabilities: P03..P18 of the catalogue. Each target is one (group, resource)
# with the verbs that make it dangerous; "pre135" verbs count before 1.35.
# "cluster" targets are only granted cluster-wide.
capabilities := [
	{"id": "P03", "tier": 1, "name": "read Secrets", "targets": [{"group": "", "resource": "secrets", "verbs": ["get", "list", "watch"]}]},
	{"id": "P04", "tier": 1, "name": "create or alter workloads", "targets": [
		{"group": "", "resource": "pods", "verbs": write_verbs},
		{"group": "", "resource": "replicationcontrollers", "verbs": write_verbs},
		{"group": "", "resource": "podtemplates", "verbs": write_verbs},
		{"group": "apps", "resource": "deployments", "verbs": write_verbs},
		{"group": "apps", "resource": "replicasets", "verbs": write_verbs},
		{"group": "apps", "resource": "statefulsets", "verbs": write_verbs},
		{"group": "apps", "resource": "daemonsets", "verbs": write_verbs},
		{"group": "batch", "resource": "jobs", "verbs": write_verbs},
		{"group": "batch", "resource": "cronjobs", "verbs": write_verbs},
	]},
	{"id": "P05", "tier": 1, "name": "exec or attach into pods", "targets": [
		{"group": "", "resource": "pods/exec", "verbs": ["create"], "pre135": ["get"]},
		{"group": "", "resource": "pods/attach", "verbs": ["create"], "pre135": ["get"]},
	]},
	{"id": "P06", "tier": 1, "name": "add ephemeral containers", "targets": [{"group": "", "resource": "pods/ephemeralcontainers", "verbs": ["update", "patch"]}]},
	{"id": "P07", "tier": 1, "name": "mint ServiceAccount tokens", "targets": [{"group": "", "resource": "serviceaccounts/token", "verbs": ["create"]}]},
	{"id": "P08", "tier": 1, "name": "create legacy token Secrets", "targets": [{"group": "", "resource": "secrets", "verbs": ["create"]}]},
	{"id": "P09", "tier": 0, "name": "impersonate", "targets": [
		{"group": "", "resource": "users", "verbs": ["impersonate"], "cluster": true},
		{"group": "", "resource": "groups", "verbs": ["impersonate"], "cluster": true},
		# Impersonating ServiceAccounts is namespaced: in a namespace it
		# borrows that namespace's identities, like creating pods (T1);
		# cluster-wide the scope upgrade makes it T0.
		{"group": "", "resource": "serviceaccounts", "verbs": ["impersonate"], "tier": 1},
		{"group": "authentication.k8s.io", "resource": "userextras/*", "verbs": ["impersonate"], "cluster": true},
		{"group": "authentication.k8s.io", "resource": "uids", "verbs": ["impersonate"], "cluster": true},
	]},
	{"id": "P10", "tier": 0, "name": "escalate roles", "targets": [
		{"group": rbac_group, "resource": "roles", "verbs": ["escalate"]},
		{"group": rbac_group, "resource": "clusterroles", "verbs": ["escalate"], "cluster": true},
	]},
	{"id": "P11", "tier": 0, "name": "bind roles", "targets": [
		{"group": rbac_group, "resource": "roles", "verbs": ["bind"]},
		{"group": rbac_group, "resource": "clusterroles", "verbs": ["bind"]},
	]},
	{"id": "P12", "tier": 0, "name": "proxy to nodes", "targets": [{"group": "", "resource": "nodes/proxy", "verbs": ["get", "create", "update", "patch", "delete", "list", "watch"], "cluster": true}]},
	{"id": "P13", "tier": 0, "name": "admission webhooks", "targets": [
		{"group": "admissionregistration.k8s.io", "resource": "mutatingwebhookconfigurations", "verbs": write_verbs, "cluster": true},
		{"group": "admissionregistration.k8s.io", "resource": "validatingwebhookconfigurations", "verbs": write_verbs, "cluster": true},
	]},
	{"id": "P14a", "tier": 0, "name": "create certificate signing requests", "targets": [{"group": "certificates.k8s.io", "resource": "certificatesigningrequests", "verbs": ["create"], "cluster": true}]},
	{"id": "P14b", "tier": 0, "name": "approve certificate signing requests", "targets": [{"group": "certificates.k8s.io", "resource": "certificatesigningrequests/approval", "verbs": ["update", "patch"], "cluster": true}]},
	{"id": "P15", "tier": 1, "name": "create PersistentVolumes", "targets": [{"group": "", "resource": "persistentvolumes", "verbs": ["create"], "cluster": true}]},
	{"id": "P16", "tier": 2, "name": "modify namespaces", "targets": [{"group": "", "resource": "namespaces", "verbs": ["patch", "update"]}]},
	{"id": "P17", "tier": 2, "name": "create bindings", "targets": [
		{"group": rbac_group, "resource": "rolebindings", "verbs": write_verbs},
		{"group": rbac_group, "resource": "clusterrolebindings", "verbs": write_verbs, "cluster": true},
	]},
	{"id": "P18", "tier": 2, "name": "port-forward to pods", "targets": [{"group": "", "resource": "pods/portforward", "verbs": ["create"], "pre135": ["get"]}]},
]

# Rule matching: exact or "*"; resources also "*/<subresource>".
# "pods/*" is a literal, not a wildcard.
matches_group(r, g) if g in r.apiGroups

matches_group(r, _) if "*" in r.apiGroups

matches_verb(r, v) if v in r.verbs

matches_verb(r, _) if "*" in r.verbs

matches_resource(r, res) if res in r.resources

matches_resource(r, _) if "*" in r.resources

matches_resource(r, res) if {
	parts := split(res, "/")
	count(parts) == 2
	concat("/", ["*", parts[1]]) in r.resources
}

target_verbs(t) := array.concat(t.verbs, object.get(t, "pre135", [])) if params.pre135_exec_get

else := t.verbs

full_wildcard(r) if {
	"*" in r.verbs
	"*" in r.resources
	"*" in r.apiGroups
}

wildcard(r) if "*" in r.verbs

wildcard(r) if "*" in r.resources

wildcard(r) if "*" in r.apiGroups

# Tier of one capability found in rule r, after resourceNames narrowing.
narrowed_tier(cap, r) := cap.tier if count(r.resourceNames) == 0

else := 2 if {
	cap.id == "P11"
	every n in r.resourceNames {
		n == "view"
	}
} else := 0 if {
	cap.id == "P11"
	some n in r.resourceNames
	n in {"cluster-admin", "admin"}
} else := 1 if {
	cap.id == "P09"
} else := min([cap.tier + 1, 2])

# Capabilities a rule grants in a scope ("*" or a namespace), before the
# combination and scope-upgrade steps.
rule_capabilities(r, scope) := {c |
	full_wildcard(r)
	c := {"id": "P01", "tier": 0}
} | {c |
	some t in _candidate_targets(r)
	_in_scope(t, scope)
	matches_group(r, t.group)
	matches_resource(r, t.resource)
	some v in t.verbs
	matches_verb(r, v)
	c := {"id": t.cap.id, "tier": narrowed_tier(t.cap, r)}
}

# The targets a rule can match: every target when one of its resources is
# "*" or "*/<subresource>", else those named by its resources (an index, so
# a rule is not tried against every target).
_candidate_targets(r) := _targets if {
	some res in r.resources
	startswith(res, "*")
} else := [t |
	some res in r.resources
	some t in object.get(_targets_by_resource, res, [])
]

_targets_by_resource := {res: [t | some t in _targets; t.resource == res] | some res in {t.resource | some t in _targets}}

# The catalogue flattened to one entry per target, with the verbs that
# count at the scanned version and the target's own tier.
_targets := [object.union(t, {"verbs": target_verbs(t), "cap": object.union(cap, {"tier": object.get(t, "tier", cap.tier)})}) |
	some cap in capabilities
	some t in cap.targets
]

_in_scope(_, "*") := true

_in_scope(t, scope) if {
	scope != "*"
	not t.cluster
}

# Capabilities of a set of rules in a scope: partial wildcards that match
# nothing are P02 (T2); P08 counts only beside P03 or P04; P14 needs both
# halves; T1 becomes T0 cluster-wide or in kube-system.
capabilities_of(rules, scope) := {upgrade(c, scope) |
	some c in _combined(rules, scope)
}

_raw(rules, scope) := {c |
	some r in rules
	some c in rule_capabilities(r, scope)
} | {{"id": "P02", "tier": 2} |
	some r in rules
	wildcard(r)
	count(rule_capabilities(r, scope)) == 0
}

_combined(rules, scope) := cs if {
	raw := _raw(rules, scope)
	kept := combined_ids({c.id | some c in raw})
	cs := {c |
		some c in raw
		c.id in kept
	} | {c |
		"P14" in kept
		c := {"id": "P14", "tier": min({x.tier | some x in raw; x.id in {"P14a", "P14b"}})}
	}
}

# The capability ids a set of raw capability ids amounts to: P08 counts
# only beside P03 or P04; P14 needs both halves.
combined_ids(ids) := {id |
	some id in ids
	not id in {"P14a", "P14b"}
	_keep_id(id, ids)
} | {"P14" | count({"P14a", "P14b"} & ids) == 2}

_keep_id(id, _) if id != "P08"

_keep_id("P08", ids) if count({"P03", "P04"} & ids) > 0

# The ids of the capabilities each rule of rules grants on its own in
# scope, before they are combined.
raw_capability_ids(rules, scope) := {c.id | some c in _raw(rules, scope)}

upgrade(c, scope) := {"id": c.id, "tier": 0, "scope": scope, "upgraded": true} if {
	c.tier == 1
	scope in {"*", "kube-system"}
} else := object.union(c, {"scope": scope, "upgraded": false})

# Capabilities depend on the role and on whether the grant is cluster-wide,
# not on which binding makes it: compute them once per role and scope kind
# ("*" or "namespace") that some binding grants it in.
_role_caps := {[key, kind]: _combined(role_rules(key), kind) |
	some [key, kind] in {[m.role, scope_kind(m.scope)] | some m in model.bindings; m.known}
}

# Capabilities per binding (after scope upgrade). They depend on the role
# and the scope only: bindings of one role in one namespace share one set.
binding_capabilities := {id: _scoped_caps(m.known, m.role, m.scope) | some id, m in model.bindings}

_scoped_caps(true, role, scope) := {upgrade(c, scope) | some c in _role_caps[[role, scope_kind(scope)]]}

_scoped_caps(false, _, _) := set()

# The kind of a binding's scope: "*" (cluster-wide) or "namespace".
scope_kind("*") := "*"

scope_kind(scope) := "namespace" if scope != "*"

# Highest tier of a capability set: 0 is T0; 3 means none.
top_tier(caps) := min({c.tier | some c in caps} | {3})

tier_name(t) := ["T0", "T1", "T2", "none"][t]

# The name of each capability id, the derived ones (P01, P02, P14)
# included.
capability_names := object.union({c.id: c.name | some c in capabilities}, {"P01": "everything", "P02": "partial wildcards", "P14": "issue certificates"})

# The bindings that name the ServiceAccount of key "ns/name" and grant it a
# capability (binding_capabilities[id] says which).
direct_bindings(key) := {g[0] |
	some g in _direct_grants(key)
	count(binding_capabilities[g[0]]) > 0
}

# What a group grants, computed once per group, never per member:
# {group: {"tier": top tier, "bindings": [ids of the bindings that give it a
# capability], "first": the first binding that gives the top tier}}.
group_grants := {grp: {"tier": tier, "bindings": ids, "first": first} |
	some grp, grants in model.groups
	ids := sort({g[0] | some g in grants; count(binding_capabilities[g[0]]) > 0})
	count(ids) > 0
	tier := min({top_tier(binding_capabilities[id]) | some id in ids})
	first := min({id | some id in ids; top_tier(binding_capabilities[id]) == tier})
}

# The group grants that apply to the ServiceAccounts of namespace ns.
sa_group_grants(ns) := {grp: gg |
	some grp in sa_groups_of(ns)
	gg := group_grants[grp]
}

# The top tier of ServiceAccount ns/name: lookups into tiers computed once
# per directly bound account, per namespace group and for the groups of
# every account.
sa_top_tier(ns, name) := sa_key_top_tier(k8s.key(ns, name))

# sa_top_tier of the ServiceAccount of key "ns/name".
sa_key_top_tier(key) := min({
	object.get(_direct_tiers, key, 3),
	object.get(_namespace_group_tiers, split(key, "/")[0], 3),
	_all_groups_tier,
})

_direct_tiers := {k: top_tier(caps) |
	some k, grants in model.direct
	caps := {c | some g in grants; some c in binding_capabilities[g[0]]}
}

_namespace_group_tiers := {trim_prefix(grp, "system:serviceaccounts:"): gg.tier |
	some grp, gg in group_grants
	startswith(grp, "system:serviceaccounts:")
}

_all_groups_tier := min({group_grants[grp].tier | some grp in sa_groups_all} | {3})

# Severity of a tier: T0 critical, T1 high, T2 medium.
tier_severity(t) := ["critical", "high", "medium", "info"][t]

# Every ServiceAccount in scope: declared, run by a pod spec, named by a
# binding subject or by a token Secret.
sa_keys := {k | some k in model.serviceAccounts}

# The rules of a ClusterRole or Role object (its effective rules).
rules_of(role) := role_rules(concat("/", ["ClusterRole", role.name])) if role.kind == "ClusterRole"

else := role_rules(concat("/", ["Role", role.namespace, role.name]))

# Capabilities ({id, tier}) of rules in a scope, before scope upgrade.
capability_ids(rules, scope) := {{"id": c.id, "tier": c.tier} | some c in _combined(rules, scope)}

# bootstrap policy objects (system: names that the API server keeps
# up to date), and the bundled copies of them.
bootstrap(o) if o.origin == "builtin"

bootstrap(o) if {
	startswith(o.name, "system:")
	k8s.annotations(o)["rbac.authorization.kubernetes.io/autoupdate"] == "true"
}
