# METADATA
# title: Attack paths
# description: |
#   How a stolen ServiceAccount token leads to other tokens and to the
#   sinks: a graph over tokens, the groups they act as, the bindings that
#   grant them something, and the token pools a grant opens (any token of a
#   namespace through creating pods, minting tokens or impersonating; its
#   legacy token Secrets through reading Secrets; its running pods' tokens
#   through exec). What a grant opens and which grants are sinks is decided
#   here from the capability catalogue of lib/rbac; the shortest-path search
#   is the builtin sascan.graph.shortest_paths.
package sascan.lib.paths

import data.sascan.lib.k8s
import data.sascan.lib.rbac

# How many tokens an attacker may take on the way, after the first.
max_token_hops := 3

# A token hop is three to five edges (token, group, binding, every
# namespace, one namespace, token), the last grant one or two (token,
# group, binding): the search goes as far as the longest allowed path, and
# paths that take more tokens are left out. The search minimises edges, so
# among routes of allowed length the one with the fewest steps is kept.
max_edges := (5 * max_token_hops) + 2

# ------------------------------------------------------------------ nodes

sa_node(key) := concat("", ["sa:", key])

group_node(grp) := concat("", ["group:", grp])

binding_node(id) := sprintf("binding:%d", [id])

# A pool of tokens: any token of a namespace ("any"), its legacy token
# Secrets ("secret"), its running pods' tokens ("exec"); scope "*" stands
# for every namespace.
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
# "named": resourceNames narrow the grant to the named ServiceAccounts
# ("sa") or Secrets ("secret"); create requests are never narrowed by name.
# "escape": the request can start a privileged pod (node escape, unless
# the namespace enforces Pod Security); attach and port-forward open nothing.
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
	{"pool": "exec", "named": "", "escape": false, "group": "", "resource": "pods/exec", "verbs": _exec_verbs, "does": "exec into pods"},
	{"pool": "exec", "named": "", "escape": false, "group": "", "resource": "pods/ephemeralcontainers", "verbs": ["update", "patch"], "does": "add ephemeral containers"},
	{"pool": "exec", "named": "", "escape": false, "group": "", "resource": "pods", "verbs": ["update", "patch"], "does": "change pods' images"},
	{"pool": "secret", "named": "secret", "escape": false, "group": "", "resource": "secrets", "verbs": ["get", "list", "watch"], "does": "read Secrets"},
]

# Before 1.35 an exec could be opened with get.
_exec_verbs := ["create", "get"] if data.sascan.lib.params.pre135_exec_get

else := ["create"]

# What a role's rules open in a scope kind ("*" or "namespace"), once per
# role and scope kind: [pool, what it does, named resource or "", escape].
_role_pools := {[key, kind]: pools |
	some [key, kind] in {[m.role, _scope_kind(m.scope)] | some m in rbac.model.bindings; m.known}
	pools := {[t.pool, t.does, name, t.escape] |
		some r in rbac.role_rules(key)
		some t in take_targets
		rbac.matches_group(r, t.group)
		rbac.matches_resource(r, t.resource)
		some v in t.verbs
		rbac.matches_verb(r, v)
		some name in _names(t, r, v)
	}
}

_scope_kind("*") := "*"

_scope_kind(scope) := "namespace" if scope != "*"

_names(t, r, v) := {""} if {
	t.named == ""
} else := {""} if {
	count(r.resourceNames) == 0
} else := {""} if {
	v == "create"
	t.resource != "serviceaccounts/token"
} else := {n | some n in r.resourceNames}

# The nodes a binding leads to: pools, or named tokens.
_binding_targets(m) := {t |
	some [pool, _, name, _] in _role_pools[[m.role, _scope_kind(m.scope)]]
	some t in _target(pool, name, m.scope)
}

_target(pool, "", scope) := {pool_node(pool, scope)}

_target("any", name, "*") := {sa_node(k) | some k in _sa_by_name[name]} if name != ""

_target("any", name, scope) := {sa_node(k8s.key(scope, name))} if {
	name != ""
	scope != "*"
}

_target("secret", name, "*") := {sa_node(k) | some k in _secret_sa_by_name[name]} if name != ""

_target("secret", name, scope) := {sa_node(k) | some k in _secret_sa_by_key[k8s.key(scope, name)]} if {
	name != ""
	scope != "*"
}

_sa_by_name := {name: keys |
	some name in {p[1] | some p in _sa_pairs}
	keys := {p[2] | some p in _sa_pairs; p[1] == name}
}

# [namespace, name, key] of every ServiceAccount in scope.
_sa_pairs := [[ns, name, k] |
	some k in rbac.sa_keys
	[ns, name] := split(k, "/")
]

# Legacy token Secrets by "ns/name" and by name, to the ServiceAccount
# they hold a token of.
_secret_sa_by_key := {k: {_secret_sa(s)} | some k, s in k8s.token_secrets}

_secret_sa_by_name := {name: keys |
	some name in {s.name | some s in k8s.token_secrets}
	keys := {_secret_sa(s) | some s in k8s.token_secrets; s.name == name}
}

_secret_sa(s) := k8s.key(s.namespace, object.get(k8s.annotations(s), k8s.sa_name_annotation, ""))

# Bindings that grant something, with what they lead to.
_granting := {id: targets |
	some id, m in rbac.model.bindings
	count(rbac.binding_capabilities[id]) > 0
	targets := _binding_targets(m)
}

_running := [ps |
	some ps in k8s.pod_specs
	not ps.static
	count(ps.tokenContainers) > 0
]

# The graph: Kubernetes' part from the access model (tokens to their
# groups and bindings, pools to their tokens: input.access.tokenGraph), and
# what each binding's grant opens.
graph := [object.get(rbac.model, "tokenGraph", {}), {binding_node(id): targets | some id, targets in _granting}]

# ------------------------------------------------------------------ sinks

# Where an attacker wants to be, as grants of bindings:
#   cluster-admin  a tier-0 capability of its own (not one raised by scope)
#   secrets        reading Secrets cluster-wide or in kube-system
#   node-escape    creating pods (or workloads that create them) where the
#                  namespace does not enforce the baseline or restricted Pod
#                  Security level
#   token-minting  minting tokens for ServiceAccounts
sinks := object.union(
	{sink: {binding_node(id) |
		some id, caps in rbac.binding_capabilities
		some c in caps
		sink_capability(sink, c)
	} |
		some sink in sink_names
		sink != "node-escape"
	},
	{"node-escape": {binding_node(id) |
		some id, m in rbac.model.bindings
		count(_escapes(m)) > 0
	}},
)

# The requests of a binding that start a privileged pod where Pod Security
# does not stop it.
_escapes(m) := {does |
	m.known
	not _pod_security_enforced(m.scope)
	some [_, does, _, true] in _role_pools[[m.role, _scope_kind(m.scope)]]
}

sink_names := ["cluster-admin", "secrets", "node-escape", "token-minting"]

sink_capability("cluster-admin", c) if {
	c.tier == 0
	not c.upgraded
}

sink_capability("secrets", c) if {
	c.id == "P03"
	c.scope in {"*", "kube-system"}
}

sink_capability("token-minting", c) if c.id == "P07"

_pod_security_enforced(ns) if {
	ns != "*"
	k8s.labels(k8s.namespaces[ns])["pod-security.kubernetes.io/enforce"] in {"baseline", "restricted"}
}

# ------------------------------------------------------------------ paths

# Token sources: the ServiceAccounts some workload or token Secret holds a
# token of (the access model's).
sources := object.get(rbac.model, "tokenSources", [])

# shortest[sink][sa node]: the shortest path from the token to the sink.
shortest := sascan.graph.shortest_paths(graph, sources, sinks, max_edges)

# The tokens taken on a path, in order (the first is the stolen one).
tokens(path) := [trim_prefix(n, "sa:") | some n in path; startswith(n, "sa:")]

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

# The bindings of a path, one per step, in order.
bindings_of(path) := [to_number(trim_prefix(n, "binding:")) | some n in path; startswith(n, "binding:")]

_next(path, end) := path[end] if end < count(path)

else := ""

_segment_step(seg, next, sink) := s if {
	id := to_number(trim_prefix([n | some n in seg; startswith(n, "binding:")][0], "binding:"))
	binding := rbac.bindings[id]
	s := {
		"from": sprintf("ServiceAccount %s", [trim_prefix(seg[0], "sa:")]),
		"to": _step_to(next, sink),
		"action": _action(seg, id, next == "", sink),
		"via": sprintf("%s %s", [binding.kind, _name(binding)]),
		"as": _as(seg),
	}
}

_segment_end(path, starts, i) := starts[i + 1] if i + 1 < count(starts)

else := count(path)

_step_to("", sink) := sink

_step_to(next, _) := sprintf("ServiceAccount %s", [trim_prefix(next, "sa:")]) if next != ""

_as(seg) := trim_prefix(g, "group:") if {
	g := [n | some n in seg; startswith(n, "group:")][0]
} else := ""

_name(o) := o.name if o.namespace == ""

else := k8s.key(o.namespace, o.name)

# What the grant does on a step: the requests of the binding that open the
# way the path goes (a pool, or a named token), or, on the last step, what
# makes it the sink.
_action(_, id, true, "node-escape") := concat(", ", [sprintf("%s %s", [d, _scope_text(m.scope)]) | some d in sort(_escapes(m))]) if {
	m := rbac.model.bindings[id]
}

_action(_, id, true, sink) := concat(", ", sort({_cap_text(c) | some c in rbac.binding_capabilities[id]; sink_capability(sink, c)})) if sink != "node-escape"

_action(seg, id, false, _) := concat(", ", [sprintf("%s %s", [d, _scope_text(m.scope)]) | some d in sort(_leading(seg, m))]) if {
	m := rbac.model.bindings[id]
}

# The requests of binding m that lead the way segment seg goes.
_leading(seg, m) := {does |
	some [pool, does, name, _] in _role_pools[[m.role, _scope_kind(m.scope)]]
	_leads(pool, name, seg)
}

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

_cap_text(c) := sprintf("%s (%s) %s", [_cap_names[c.id], c.id, _scope_text(c.scope)])

_cap_names := object.union({c.id: c.name | some c in rbac.capabilities}, {"P01": "everything", "P02": "partial wildcards", "P14": "issue certificates"})

_scope_text("*") := "cluster-wide"

_scope_text(ns) := sprintf("in namespace %s", [ns]) if ns != "*"

# --------------------------------------------------------------- reported

# The paths reported: a token that reaches a sink only through another
# token (at least one hop). A token that holds the sink's grant itself is
# SA013's and SA019's finding, not a path.
reported := [p |
	some sink, by_token in shortest
	some node, path in by_token
	count(path) > 3 # two edges at most reach a sink without another token
	taken := tokens(path)
	count(taken) > 1
	count(taken) <= max_token_hops + 1
	p := {
		"sink": sink,
		"serviceAccount": taken[0],
		"path": path,
		"tokens": taken,
		"bindings": bindings_of(path),
	}
]

# Where each token can be taken: [ServiceAccount key, object id, way].
_source_ways := ({[ps.saKey, ps.obj.id, _way(x)] |
	some ps in _running
	some x in ps.tokenContainers
} | {[ps.saKey, ps.obj.id, "on every node"] |
	some ps in _running
	ps.obj.kind == "DaemonSet"
}) | {[_secret_sa(s), s.id, "legacy token Secret"] | some s in k8s.token_secrets}

_way(x) := "automounted token" if x.auto

else := "projected token volume" if x.projected

else := "token Secret"

# token_sources[key]: [{"object": id, "ways": [...]}] by object id, for the
# tokens on reported paths.
token_sources := {k: [{"object": id, "ways": sort({w[2] | some w in ways; w[1] == id})} |
	some id in sort({w[1] | some w in ways})
] |
	some k in {p.serviceAccount | some p in reported}
	ways := {w | some w in _source_ways; w[0] == k}
}

# ------------------------------------------------------------ choke points

# What a reported path depends on: the bindings of its steps, their roles
# (bootstrap roles left out: their binding is what to change), and the
# first token's automount when automount is the only way it is taken.
_elements(p) := ({["binding", id] | some id in p.bindings} | {["role", role.object] |
	some id in p.bindings
	m := rbac.model.bindings[id]
	m.known
	role := rbac.model.roles[m.role]
	not rbac.bootstrap(input.objects[role.object])
}) | {["automount", p.serviceAccount] | _automount_only(p.serviceAccount)}

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
