# METADATA
# title: RBAC model
# description: |
#   Subject matching (rules.md §D8), the effective rules of a binding with
#   ClusterRole aggregation computed to a fixpoint (§D9), the discovery
#   baseline and the dangerous-permission catalogue with tiers and scope
#   upgrade (§D10). Everything is computed once per evaluation as complete
#   rules, so rules join by lookup.
package sascan.lib.rbac

import data.sascan.lib.k8s
import data.sascan.lib.params

rbac_group := "rbac.authorization.k8s.io"

sa_groups_all := {"system:serviceaccounts", "system:authenticated"}

# ---------------------------------------------------------------- bindings

bindings := {o.id: o |
	some kind in ["RoleBinding", "ClusterRoleBinding"]
	some o in k8s.objects(kind)
	o.group == rbac_group
}

cluster_binding(b) if b.kind == "ClusterRoleBinding"

subjects(b) := s if {
	s := b.object.subjects
	is_array(s)
} else := []

# §D8: the namespace of a ServiceAccount subject; RoleBindings default it.
subject_sa_namespace(b, subj) := subj.namespace if {
	is_string(subj.namespace)
	subj.namespace != ""
} else := b.namespace if {
	not cluster_binding(b)
} else := ""

sa_user_prefix := "system:serviceaccount:"

# The ServiceAccount key ("ns/name") a subject names directly, by kind
# ServiceAccount or by kind User spelled as an SA username.
subject_sa_key(b, subj) := k8s.key(ns, subj.name) if {
	subj.kind == "ServiceAccount"
	ns := subject_sa_namespace(b, subj)
	ns != ""
} else := k8s.key(parts[2], parts[3]) if {
	subj.kind == "User"
	startswith(subj.name, sa_user_prefix)
	parts := split(subj.name, ":")
	count(parts) == 4
	parts[2] != ""
	parts[3] != ""
}

# Group subjects that include service accounts.
sa_group(name) if name in sa_groups_all

sa_group(name) if {
	startswith(name, "system:serviceaccounts:")
	count(split(name, ":")) == 3
}

# Grants as [key, binding id, subject index]: key is the ServiceAccount
# ("ns/name") a subject names directly, or the group it names.
_direct_pairs := [[sa, id, i] |
	some id, b in bindings
	some i, subj in subjects(b)
	sa := subject_sa_key(b, subj)
]

_group_pairs := [[subj.name, id, i] |
	some id, b in bindings
	some i, subj in subjects(b)
	subj.kind == "Group"
	sa_group(subj.name)
]

# direct[saKey] -> {[binding id, subject index]}; group_bindings[group]
# likewise. Comprehensions keyed this way are indexed by OPA, so building
# them is linear in the number of subjects.
direct := {sa: grants |
	some sa in {p[0] | some p in _direct_pairs}
	grants := {[p[1], p[2]] | some p in _direct_pairs; p[0] == sa}
}

group_bindings := {grp: grants |
	some grp in {p[0] | some p in _group_pairs}
	grants := {[p[1], p[2]] | some p in _group_pairs; p[0] == grp}
}

# Every binding that applies to ServiceAccount ns/name (§D8): direct
# subjects plus the three groups.
sa_grants(ns, name) := _direct_grants(ns, name) | _group_grants(ns)

_direct_grants(ns, name) := object.get(direct, k8s.key(ns, name), set())

# The groups of every ServiceAccount in namespace ns, and the bindings
# that apply through them: the same for all of the namespace's
# ServiceAccounts, so computed once per namespace.
sa_groups_of(ns) := {"system:serviceaccounts", concat("", ["system:serviceaccounts:", ns]), "system:authenticated"}

_group_grants(ns) := {g |
	some grp in sa_groups_of(ns)
	some g in object.get(group_bindings, grp, set())
}

# ------------------------------------------------------------------- roles

# §D9 aggregation. edges[a] holds the ClusterRoles that aggregated role a
# selects (only aggregated roles are keys, so building it costs aggregated
# roles times roles, not roles squared); graph.reachable gives the
# transitive closure over aggregated roles, so nested aggregation converges
# whatever the nesting and cycles.
aggregated(cr) if {
	sel := cr.object.aggregationRule.clusterRoleSelectors
	is_array(sel)
}

edges := {a: _selected(a, ca) |
	some a, ca in k8s.cluster_roles
	aggregated(ca)
}

_selected(a, ca) := {b |
	some sel in ca.object.aggregationRule.clusterRoleSelectors
	some b, cb in k8s.cluster_roles
	b != a
	selector_matches(sel, k8s.labels(cb))
}

# The roles aggregated role name draws from, directly or through nested
# aggregated roles, and itself: graph.reachable stops at nodes that are not
# keys of edges, so the selected non-aggregated roles are added here.
aggregation_closure(name) := reached | {b |
	some a in reached
	some b in edges[a]
} if {
	reached := graph.reachable(edges, {name})
}

# Effective rules of a ClusterRole: an aggregated role's own rules are
# overwritten by the controller; the union of what it selects is what counts.
cluster_role_rules := {name: own_or_aggregated_rules(name, cr) | some name, cr in k8s.cluster_roles}

own_or_aggregated_rules(name, cr) := {normalize(r) |
	some other in aggregation_closure(name)
	other != name
	src := k8s.cluster_roles[other]
	not aggregated(src)
	some r in object.get(src.object, "rules", [])
} if {
	aggregated(cr)
} else := {normalize(r) | some r in object.get(cr.object, "rules", [])}

# Rules a ClusterRole contributes to the aggregates that select it, and the
# aggregates it joins.
aggregates_of(name) := {a | some a, sel in edges; name in sel}

# Standard label-selector semantics: matchLabels and matchExpressions ANDed.
selector_matches(sel, labels) if {
	every lk, lv in object.get(sel, "matchLabels", {}) {
		labels[lk] == lv
	}
	every e in object.get(sel, "matchExpressions", []) {
		expression_matches(e, labels)
	}
}

expression_matches(e, labels) if {
	e.operator == "In"
	labels[e.key] in e.values
}

expression_matches(e, labels) if {
	e.operator == "NotIn"
	not object.get(labels, e.key, null) in e.values
}

expression_matches(e, labels) if {
	e.operator == "Exists"
	_ = labels[e.key]
}

expression_matches(e, labels) if {
	e.operator == "DoesNotExist"
	not _has(labels, e.key)
}

_has(obj, key) if _ = obj[key]

normalize(r) := {
	"apiGroups": object.get(r, "apiGroups", []),
	"resources": object.get(r, "resources", []),
	"verbs": object.get(r, "verbs", []),
	"resourceNames": object.get(r, "resourceNames", []),
	"nonResourceURLs": object.get(r, "nonResourceURLs", []),
}

# The rules a binding grants now, and whether its role is known at all.
# RoleBinding: Role in its namespace, or a ClusterRole scoped to it.
binding_role(b) := {"known": true, "rules": cluster_role_rules[b.object.roleRef.name]} if {
	b.object.roleRef.kind == "ClusterRole"
	cluster_role_rules[b.object.roleRef.name]
} else := {"known": true, "rules": {normalize(r) | some r in object.get(role.object, "rules", [])}} if {
	not cluster_binding(b)
	b.object.roleRef.kind == "Role"
	role := k8s.roles[k8s.key(b.namespace, b.object.roleRef.name)]
} else := {"known": false, "rules": set()}

# scope: "*" for cluster-wide, else the binding's namespace.
binding_scope(b) := "*" if cluster_binding(b)

else := b.namespace

# ------------------------------------------------------ discovery baseline

baseline_urls := {
	"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
	"/readyz", "/version", "/version/", "/.well-known/openid-configuration",
	"/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/",
}

baseline_resources := {
	["authorization.k8s.io", "selfsubjectaccessreviews"],
	["authorization.k8s.io", "selfsubjectrulesreviews"],
	["authentication.k8s.io", "selfsubjectreviews"],
}

# A rule within the discovery baseline grants nothing that every
# ServiceAccount does not have already (§D10).
within_baseline(r, _) if {
	count(r.verbs) == 0
}

within_baseline(r, _) if {
	count(r.resources) == 0
	every u in r.nonResourceURLs {
		u in baseline_urls
	}
	every v in r.verbs {
		v == "get"
	}
}

within_baseline(r, _) if {
	count(r.resources) > 0
	every g in r.apiGroups {
		every res in r.resources {
			[g, res] in baseline_resources
		}
	}
	every v in r.verbs {
		v == "create"
	}
}

# Through a RoleBinding only namespaced resources are granted.
within_baseline(r, scope) if {
	scope != "*"
	every res in r.resources {
		res != "*"
		cluster_scoped_resource(res)
	}
}

exceeds_baseline(rules, scope) if {
	some r in rules
	not within_baseline(r, scope)
}

# A binding grants more than the baseline, or its role is unknown (then we
# presume it does).
binding_exceeds contains id if {
	some id, b in bindings
	role := binding_role(b)
	role.known
	exceeds_baseline(role.rules, binding_scope(b))
}

binding_exceeds contains id if {
	some id, b in bindings
	not binding_role(b).known
}

sa_exceeds_baseline(ns, name) if {
	some g in _direct_grants(ns, name)
	g[0] in binding_exceeds
}

sa_exceeds_baseline(ns, _) if _group_grants_exceed(ns)

_group_grants_exceed(ns) if {
	some g in _group_grants(ns)
	g[0] in binding_exceeds
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

# namespaces is cluster-scoped, but a RoleBinding in N grants it on N (§D9).
cluster_scoped_resource(res) if res in cluster_scoped_resources

write_verbs := ["create", "update", "patch"]

# capabilities: P03..P18 of §D10. Each target is one (group, resource)
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

# §D9 rule matching: exact or "*"; resources also "*/<subresource>".
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
	ids := {c.id | some c in raw}
	keep_p08 := count({"P03", "P04"} & ids) > 0
	p14 := count({"P14a", "P14b"} & ids) == 2
	cs := {c |
		some c in raw
		not c.id in {"P14a", "P14b"}
		_keep(c, keep_p08)
	} | {c |
		p14
		c := {"id": "P14", "tier": min({x.tier | some x in raw; x.id in {"P14a", "P14b"}})}
	}
}

_keep(c, _) if c.id != "P08"

_keep(c, true) if c.id == "P08"

upgrade(c, scope) := {"id": c.id, "tier": 0, "scope": scope, "upgraded": true} if {
	c.tier == 1
	scope in {"*", "kube-system"}
} else := object.union(c, {"scope": scope, "upgraded": false})

# Capabilities depend on the role and on whether the grant is cluster-wide,
# not on which binding makes it: compute them once per referenced role.
role_key(b) := concat("/", ["ClusterRole", b.object.roleRef.name]) if {
	b.object.roleRef.kind == "ClusterRole"
} else := concat("/", ["Role", b.namespace, b.object.roleRef.name])

_role_pairs := [[role_key(b), id] | some id, b in bindings]

_role_rules := {key: binding_role(bindings[ids[0]]).rules |
	some key in {p[0] | some p in _role_pairs}
	ids := [p[1] | some p in _role_pairs; p[0] == key]
}

# Only the scope kinds ("*" or "namespace") that some binding grants a
# role in are computed: most roles are bound one way only.
_role_caps := {[key, kind]: _combined(_role_rules[key], kind) |
	some [key, kind] in {[role_key(b), _scope_kind(binding_scope(b))] | some b in bindings}
}

# Capabilities per binding (after scope upgrade).
binding_capabilities := {id: {upgrade(c, scope) | some c in _role_caps[[role_key(b), _scope_kind(scope)]]} |
	some id, b in bindings
	scope := binding_scope(b)
}

_scope_kind("*") := "*"

_scope_kind(scope) := "namespace" if scope != "*"

# Highest tier of a capability set: 0 is T0; 3 means none.
top_tier(caps) := min({c.tier | some c in caps} | {3})

tier_name(t) := ["T0", "T1", "T2", "none"][t]

# Capabilities of ServiceAccount ns/name through every binding that applies.
# Most ServiceAccounts hold none: they are answered from two indexes (the
# keys some direct grant gives a capability, the namespaces whose groups
# hold one) without building the set.
sa_capabilities(ns, name) := {object.union(c, {"binding": g[0]}) |
	some g in _direct_grants(ns, name)
	some c in binding_capabilities[g[0]]
} | _group_capabilities(ns) if {
	_may_hold_capabilities(ns, name)
} else := set()

_may_hold_capabilities(ns, name) if k8s.key(ns, name) in _keys_with_direct_capabilities

_may_hold_capabilities(ns, _) if count(_group_capabilities(ns)) > 0

_keys_with_direct_capabilities := {k |
	some k, grants in direct
	some g in grants
	count(binding_capabilities[g[0]]) > 0
}

_group_capabilities(ns) := {object.union(c, {"binding": g[0]}) |
	some g in _group_grants(ns)
	some c in binding_capabilities[g[0]]
}

sa_top_tier(ns, name) := top_tier(sa_capabilities(ns, name))

# Severity of a tier: T0 critical, T1 high, T2 medium.
tier_severity(t) := ["critical", "high", "medium", "info"][t]

# Every ServiceAccount in scope: declared, run by a pod spec, named by a
# binding subject or by a token Secret.
sa_keys := (({k | some k, _ in k8s.service_accounts} | {k |
	some ps in k8s.pod_specs
	k := ps.saKey
}) | {k | some k, _ in direct}) | {k |
	some s in k8s.token_secrets
	k := k8s.key(s.namespace, object.get(k8s.annotations(s), k8s.sa_name_annotation, ""))
}

# The normalized rules of a role object (its own, not aggregated).
rules_of(role) := {normalize(r) | some r in object.get(role.object, "rules", [])}

# Capabilities ({id, tier}) of rules in a scope, before scope upgrade.
capability_ids(rules, scope) := {{"id": c.id, "tier": c.tier} | some c in _combined(rules, scope)}

# §D13: bootstrap policy objects (system: names that the API server keeps
# up to date), and the bundled copies of them.
bootstrap(o) if o.origin == "builtin"

bootstrap(o) if {
	startswith(o.name, "system:")
	k8s.annotations(o)["rbac.authorization.kubernetes.io/autoupdate"] == "true"
}
