# METADATA
# title: Attack paths
# description: |
#   How a stolen ServiceAccount token leads to other tokens and to the
#   sinks: a graph over tokens, the groups they act as, the bindings that
#   grant them something, and the token pools a grant opens (any token of a
#   namespace; the tokens of its running pods; its legacy token Secrets).
#   Kubernetes' part of the graph (who acts as which group, who is named by
#   which binding, which tokens sit in which pool) and where tokens can be
#   taken come from the access model (input.access.tokenGraph,
#   tokenSources); what each grant opens and which grants are sinks is
#   decided here; the search is the builtin sascan.graph.shortest_paths.
package sascan.lib.paths

import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.rbac

# How many tokens an attacker may take on the way, after the first.
max_token_hops := 3

# ------------------------------------------------------------------ nodes

sa_node(key) := concat("", ["sa:", key])

binding_node(id) := sprintf("binding:%d", [id])

# A pool of tokens: any token of a namespace ("any"), the tokens of its
# running pods ("exec"), its legacy token Secrets ("secret"); scope "*"
# stands for every namespace.
pool_node(kind, scope) := concat("", [kind, ":", scope])

# ------------------------------------------------------------------ edges

# What a grant opens, request by request, as Kubernetes serves it:
#   any     any token of the namespace: a pod, or a controller's pod
#           template, may name any ServiceAccount of its namespace (creating
#           a pod; creating or changing a workload controller), and so do
#           minting a token and impersonating a ServiceAccount
#   exec    the tokens of the namespace's running pods: exec into them, add
#           an ephemeral container, or swap a container's image (update or
#           patch pods: a pod's ServiceAccount cannot change, its image can)
#   secret  the legacy token Secrets of the namespace, by reading Secrets
# resourceNames narrow a grant to named ServiceAccounts ("sa"), pods
# ("pod") or Secrets ("secret"); a create of a whole resource carries no
# name, so a rule with resourceNames never allows it; changing a named
# controller still lets its template name any account. "escape": the
# request can start a privileged pod (node escape, unless the namespace
# enforces Pod Security). Attach, port-forward and pod templates open
# nothing.
take_targets := [
	{"pool": "any", "named": "", "escape": true, "group": "", "resource": "pods", "verbs": ["create"], "does": "create pods"},
	{"pool": "any", "named": "", "escape": true, "group": "", "resource": "replicationcontrollers", "verbs": rbac.write_verbs, "does": "create or change replicationcontrollers"},
	{"pool": "any", "named": "", "escape": true, "group": "apps", "resource": "deployments", "verbs": rbac.write_verbs, "does": "create or change deployments"},
	{"pool": "any", "named": "", "escape": true, "group": "apps", "resource": "replicasets", "verbs": rbac.write_verbs, "does": "create or change replicasets"},
	{"pool": "any", "named": "", "escape": true, "group": "apps", "resource": "statefulsets", "verbs": rbac.write_verbs, "does": "create or change statefulsets"},
	{"pool": "any", "named": "", "escape": true, "group": "apps", "resource": "daemonsets", "verbs": rbac.write_verbs, "does": "create or change daemonsets"},
	{"pool": "any", "named": "", "escape": true, "group": "batch", "resource": "jobs", "verbs": rbac.write_verbs, "does": "create or change jobs"},
	{"pool": "any", "named": "", "escape": true, "group": "batch", "resource": "cronjobs", "verbs": rbac.write_verbs, "does": "create or change cronjobs"},
	{"pool": "any", "named": "sa", "escape": false, "group": "", "resource": "serviceaccounts/token", "verbs": ["create"], "does": "mint ServiceAccount tokens"},
	{"pool": "any", "named": "sa", "escape": false, "group": "", "resource": "serviceaccounts", "verbs": ["impersonate"], "does": "impersonate ServiceAccounts"},
	{"pool": "exec", "named": "pod", "escape": false, "group": "", "resource": "pods/exec", "verbs": _exec_verbs, "does": "exec into pods"},
	{"pool": "exec", "named": "pod", "escape": false, "group": "", "resource": "pods/ephemeralcontainers", "verbs": ["update", "patch"], "does": "add ephemeral containers"},
	{"pool": "exec", "named": "pod", "escape": false, "group": "", "resource": "pods", "verbs": ["update", "patch"], "does": "change pods' images"},
	{"pool": "secret", "named": "secret", "escape": false, "group": "", "resource": "secrets", "verbs": ["get", "list", "watch"], "does": "read Secrets"},
]

# The targets a rule can match: all when one of its resources is a
# wildcard, else those its resources name.
_candidates(r) := take_targets if {
	some res in r.resources
	startswith(res, "*")
} else := [t |
	some res in r.resources
	some t in object.get(_targets_by_resource, res, [])
]

_targets_by_resource := {res: [t | some t in take_targets; t.resource == res] | some res in {t.resource | some t in take_targets}}

# Before 1.35 an exec could be opened with get.
_exec_verbs := ["create", "get"] if params.pre135_exec_get

else := ["create"]

# What a role's rules open, once per role that a known binding grants:
# [pool, what it does, named resource or "", escape]. Rules that recur
# across roles are matched against the targets once (_rule_pools is a
# function of the rule). Creating a token Secret and reading it back also
# gives any token of the namespace: the token controller fills a Secret for
# whichever account it names.
_role_pools := {key: _pools_of(rbac.role_rules(key)) |
	some key in {m.role | some m in rbac.model.bindings; m.known}
}

_pools_of(rules) := {p | some r in rules; some p in _rule_pools(r)} | {["any", "create token Secrets and read them", "", false] |
	_allows(rules, "secrets", "create", false)
	_allows(rules, "secrets", "get", true)
}

_rule_pools(r) := {[t.pool, t.does, name, t.escape] |
	some t in _candidates(r)
	rbac.matches_group(r, t.group)
	rbac.matches_resource(r, t.resource)
	some v in t.verbs
	rbac.matches_verb(r, v)
	some name in _names(t, r, v)
}

# Some rule allows verb on core resource res (whatever its resourceNames
# when named is true, else only without them).
_allows(rules, res, verb, named) if {
	some r in rules
	rbac.matches_group(r, "")
	rbac.matches_resource(r, res)
	rbac.matches_verb(r, verb)
	_unnamed_or(r, named)
}

_unnamed_or(r, _) if count(r.resourceNames) == 0

_unnamed_or(_, true)

_names(_, r, _) := {""} if count(r.resourceNames) == 0

_names(t, r, v) := set() if {
	count(r.resourceNames) > 0
	_whole_create(t, v)
}

_names(t, r, v) := {""} if {
	count(r.resourceNames) > 0
	not _whole_create(t, v)
	t.named == ""
}

_names(t, r, v) := {n | some n in r.resourceNames} if {
	count(r.resourceNames) > 0
	not _whole_create(t, v)
	t.named != ""
}

# A create of a whole resource carries no name, so resourceNames never
# allow it (a subresource's create names its object).
_whole_create(t, "create") if not contains(t.resource, "/")

# The nodes a binding leads to: pools, or named tokens.
_binding_targets(m) := {t |
	some [pool, _, name, _] in _role_pools[m.role]
	some t in _target(pool, name, m.scope)
}

_target(pool, "", scope) := {pool_node(pool, scope)}

# Named ServiceAccounts that exist, in the binding's namespace or in any.
_target("any", name, scope) := {sa_node(k) |
	some k in _sa_by_name[name]
	_in_scope(k, scope)
} if name != ""

# Named running pods (exec) and named legacy token Secrets (secret): the
# tokens they hold, looked up in indexes built once.
_target(what, name, "*") := {sa_node(k) | some k in _named_anywhere[[what, name]]} if {
	what in {"exec", "secret"}
	name != ""
}

_target(what, name, scope) := {sa_node(k) | some k in _named_in[[what, scope, name]]} if {
	what in {"exec", "secret"}
	name != ""
	scope != "*"
}

# [what, namespace, name, ServiceAccount key] of each pod and legacy token
# Secret that holds a token (a pod or Secret and the token it holds are of
# one namespace).
_named_entries := array.concat(
	[[
		"exec", o.namespace, o.name,
		s.serviceAccount,
	] |
		some s in _sources
		o := input.objects[s.object]
		o.kind == "Pod"
	],
	[[
		"secret", o.namespace, o.name,
		s.serviceAccount,
	] |
		some s in _sources
		s.way == "legacy token Secret"
		o := input.objects[s.object]
	],
)

# Grouped in rule bodies, where OPA indexes the inner comprehension.
_named_in := {[what, ns, name]: keys |
	some [what, ns, name] in {[e[0], e[1], e[2]] | some e in _named_entries}
	keys := {e[3] | some e in _named_entries; e[0] == what; e[1] == ns; e[2] == name}
}

_named_anywhere := {[what, name]: keys |
	some [what, name] in {[e[0], e[2]] | some e in _named_entries}
	keys := {e[3] | some e in _named_entries; e[0] == what; e[2] == name}
}

_in_scope(_, "*")

_in_scope(key, scope) if startswith(key, concat("", [scope, "/"]))

_sa_by_name := {name: keys |
	some name in {o.name | some o in k8s.service_accounts}
	keys := {k | some k, o in k8s.service_accounts; o.name == name}
}

# Bindings that grant something, with what they lead to.
_granting := {id: targets |
	some id, m in rbac.model.bindings
	m.known
	targets := _binding_targets(m)
	count(targets) > 0
}

# The graph: Kubernetes' part from the access model, and what each
# binding's grant opens.
graph := [object.get(rbac.model, "tokenGraph", {}), {binding_node(id): targets | some id, targets in _granting}]

# ------------------------------------------------------------------ sinks

# Where an attacker wants to be, as grants of bindings:
#   cluster-admin  a tier-0 capability of its own (not one raised by
#                  scope), cluster-wide or in kube-system
#   secrets        reading any Secret cluster-wide or in kube-system
#   node-escape    creating pods (or their controllers) where the namespace
#                  does not enforce the baseline or restricted Pod Security
#                  level
#   token-minting  minting any ServiceAccount's token cluster-wide or in
#                  kube-system (in another namespace minting is a step)
sink_names := ["cluster-admin", "secrets", "node-escape", "token-minting"]

sinks := {sink: {binding_node(id) |
	some id, m in _sink_candidates(sink)
	count(sink_grants(sink, id, m)) > 0
} |
	some sink in sink_names
}

# The bindings that may be each sink: all but node-escape need a
# cluster-wide or kube-system scope.
_sink_candidates("node-escape") := rbac.model.bindings

_sink_candidates(sink) := _takeover_bindings if sink != "node-escape"

_takeover_bindings := {id: m | some id, m in rbac.model.bindings; m.scope in _takeover_scopes}

# What makes binding id (model entry m) of _sink_candidates(sink) a sink,
# as text.
sink_grants("cluster-admin", id, _) := {_cap_text(c) |
	some c in rbac.binding_capabilities[id]
	c.tier == 0
	not c.upgraded
}

sink_grants("secrets", _, m) := _requests(m, "secret", "read Secrets")

sink_grants("node-escape", _, m) := {sprintf("%s %s", [e[1], _scope_text(m.scope)]) |
	some e in _role_pools[m.role]
	e[2] == ""
	e[3] == true
	not _pod_security_enforced(m.scope)
}

sink_grants("token-minting", _, m) := _requests(m, "any", "mint ServiceAccount tokens")

_takeover_scopes := {"*", "kube-system"}

_requests(m, pool, does) := {sprintf("%s %s", [does, _scope_text(m.scope)]) |
	[pool, does, "", false] in _role_pools[m.role]
}

_pod_security_enforced(ns) if {
	ns != "*"
	k8s.labels(k8s.namespaces[ns])["pod-security.kubernetes.io/enforce"] in {"baseline", "restricted"}
}

# ------------------------------------------------------------------ paths

# Where tokens can be taken, as the access model found them:
# [{serviceAccount, object, way}].
_sources := object.get(rbac.model, "tokenSources", [])

# Each account once, however many ways its token can be taken.
sources := {sa_node(k) | some k in {s.serviceAccount | some s in _sources}}

# shortest[sink][token node]: the path from the token to the sink that
# takes the fewest other tokens (then has the fewest steps).
# Paths that take no other token are left out (min_cost): they are not
# reported.
shortest := sascan.graph.shortest_paths(graph, sources, sinks, {"cost_prefix": "sa:", "max_cost": max_token_hops, "min_cost": 1})

# The tokens taken on a path, in order (the first is the stolen one).
tokens(path) := [trim_prefix(n, "sa:") | some n in path; startswith(n, "sa:")]

# The bindings of a path, one per step, in order.
bindings_of(path) := [to_number(trim_prefix(n, "binding:")) | some n in path; startswith(n, "binding:")]

# The steps of a path: one per token taken and one for the sink's grant.
# {from, to, action, via, as}: "as" is the group the grant is made to, ""
# when it names the ServiceAccount. A step depends only on its segment of
# the path (a token, its group, a binding, the pools, up to the next token)
# and on the sink when it is the last: paths that share a segment share
# the step's evaluation.
steps(path, sink) := [_segment_step(array.slice(path, from, end), _next(path, end), sink) |
	some i, from in starts
	end := _segment_end(path, starts, i)
] if {
	starts := [i | some i, n in path; startswith(n, "sa:")]
}

_segment_end(path, starts, i) := starts[i + 1] if i + 1 < count(starts)

else := count(path)

_next(path, end) := path[end] if end < count(path)

else := ""

_segment_step(seg, next, sink) := s if {
	id := to_number(trim_prefix([n | some n in seg; startswith(n, "binding:")][0], "binding:"))
	m := rbac.model.bindings[id]
	s := {
		"from": sprintf("ServiceAccount %s", [trim_prefix(seg[0], "sa:")]),
		"to": _step_to(next, sink),
		"action": _action(seg, id, m, next, sink),
		"via": k8s.display(rbac.bindings[id]),
		"as": _as(seg),
	}
}

_step_to("", sink) := sink

_step_to(next, _) := sprintf("ServiceAccount %s", [trim_prefix(next, "sa:")]) if next != ""

_as(seg) := trim_prefix(g, "group:") if {
	g := [n | some n in seg; startswith(n, "group:")][0]
} else := ""

# What the grant does on a step: on the last, what makes it the sink;
# before, the requests that open the way the path goes (a pool, or a named
# token).
_action(_, id, m, "", sink) := concat(", ", sort(sink_grants(sink, id, m)))

_action(seg, _, m, next, _) := concat(", ", sort({sprintf("%s %s", [does, _scope_text(m.scope)]) |
	some [pool, does, name, _] in _role_pools[m.role]
	_leads(pool, name, seg)
})) if next != ""

_leads(pool, "", seg) if {
	some n in seg
	startswith(n, concat("", [pool, ":"]))
}

_leads(_, name, seg) if {
	name != ""
	not _through_pool(seg)
}

_through_pool(seg) if {
	some n in seg
	[kind, _] := split(n, ":")
	kind in {"any", "secret", "exec"}
}

_cap_text(c) := sprintf("%s (%s) %s", [rbac.capability_names[c.id], c.id, _scope_text(c.scope)])

_scope_text("*") := "cluster-wide"

_scope_text(ns) := sprintf("in namespace %s", [ns]) if ns != "*"

# --------------------------------------------------------------- reported

# The paths reported: a token that reaches a sink only through another
# token (at least one hop); a token that holds the sink's grant itself is
# SA013's and SA019's finding, not a path. Where one route ends at a binding
# that is several sinks, only the first of sink_names is reported (a
# cluster-admin binding also reads Secrets).
reported := [p |
	some p in _paths
	_sink_rank[p.sink] == _best[[p.serviceAccount, p.last]]
]

_paths := [p |
	some sink, by_token in shortest
	some _, path in by_token
	taken := tokens(path)
	count(taken) > 1
	bs := bindings_of(path)
	p := {
		"sink": sink,
		"serviceAccount": taken[0],
		"path": path,
		"tokens": taken,
		"bindings": bs,
		"last": bs[count(bs) - 1],
	}
]

_sink_rank := {s: i | some i, s in sink_names}

_best := {[k, last]: rank |
	some [k, last] in {[p.serviceAccount, p.last] | some p in _paths}
	rank := min({_sink_rank[p.sink] | some p in _paths; p.serviceAccount == k; p.last == last})
}

# token_sources[key]: [{"object": id, "ways": [...]}] by object id, for the
# tokens on reported paths.
token_sources := {k: [{"object": id, "ways": _source_ways[[k, id]]} | some id in sort(ids)] |
	some k in {p.serviceAccount | some p in reported}
	ids := {s.object | some s in _sources; s.serviceAccount == k}
}

# The ways each object holds each account's token, grouped once.
_source_ways := {[k, id]: ways |
	some [k, id] in {[s.serviceAccount, s.object] | some s in _sources}
	ways := sort({s.way | some s in _sources; s.serviceAccount == k; s.object == id})
}

# ------------------------------------------------------------ choke points

# What a reported path depends on: the bindings of its steps, their roles
# (bootstrap roles left out: their binding is what to change), and the
# first token's automount when automount is the only way it is taken and
# the scan holds the ServiceAccount.
_elements(p) := ({["binding", id] | some id in p.bindings} | {["role", role.object] |
	some id in p.bindings
	m := rbac.model.bindings[id]
	m.known
	role := rbac.model.roles[m.role]
	not rbac.bootstrap(input.objects[role.object])
}) | {["automount", p.serviceAccount] |
	k8s.service_accounts[p.serviceAccount]
	_automount_only(p.serviceAccount)
}

_automount_only(k) if {
	every s in token_sources[k] {
		every w in s.ways {
			w in {"automounted token", "on every node"}
		}
	}
}

_uses := {[e, i] | some i, p in reported; some e in _elements(p)}

# cuts[element]: the indexes in reported of the paths through it.
cuts := {e: paths |
	some e in {u[0] | some u in _uses}
	paths := {u[1] | some u in _uses; u[0] == e}
}

# The elements on the most paths, most first, at most choke_point_limit,
# each on at least two paths.
choke_point_limit := 10

choke_points := [{"element": r[2], "paths": cuts[r[2]]} | some r in array.slice(_ranked, 0, choke_point_limit)]

_ranked := sort([[0 - count(paths), e[0], e] |
	some e, paths in cuts
	count(paths) > 1
])
