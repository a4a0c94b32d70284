package sascan.lib.paths_test

import data.sascan.lib.inventory_test as t
import data.sascan.lib.paths

# n0 -> n1 -> ... -> n4: each account runs in a Deployment and may create
# pods in the next namespace; n4/sa is cluster-admin. Only the first sink of
# a route is reported: cluster-admin.
chain := array.concat(
	[o |
		some i in numbers.range(0, 3)
		ns := sprintf("n%d", [i])
		next := sprintf("n%d", [i + 1])
		some o in [
			t.sa(ns, "sa"),
			t.deployment(ns, "w", {"serviceAccountName": "sa", "containers": [t.container("c")]}),
			t.role(next, "maker", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
			t.role_binding(next, sprintf("from-%s", [ns]), "Role", "maker", [{"kind": "ServiceAccount", "name": "sa", "namespace": ns}]),
		]
	],
	[
		t.sa("n4", "sa"),
		t.cluster_admin,
		t.cluster_role_binding("n4-admin", "cluster-admin", [{"kind": "ServiceAccount", "name": "sa", "namespace": "n4"}]),
	],
)

# At most three tokens taken after the first: n0 is four away.
test_token_hops_are_bounded if {
	reported := paths.reported with input as t.inv(chain)
	{p.serviceAccount: (count(p.tokens) - 1) | some p in reported; p.sink == "cluster-admin"} == {"n1/sa": 3, "n2/sa": 2, "n3/sa": 1}
}

# Kubernetes' part of the graph comes from the access model.
test_graph_pools_from_the_model if {
	g := paths.graph[0] with input as t.inv(chain)
	g["any:n4"] == ["sa:n4/default", "sa:n4/sa"]
	g["sa:n0/sa"] == ["binding:3"]
	"any:n4" in g["any:*"]
}

# Pod Security "restricted" enforced: creating pods there is no node escape.
test_enforced_pod_security_is_no_node_escape if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n1", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}
	sinks := paths.sinks with input as t.inv(array.concat(chain, [ns]))
	not "binding:3" in sinks["node-escape"] # from-n0, in n1
	"binding:7" in sinks["node-escape"] # from-n1, in n2
}

# ops/operator (cluster-admin) runs in a Pod of ops; ops/idle (also
# cluster-admin) runs nowhere. ci/bot runs in a Pod and holds one grant in
# ops, given by the test.
with_grant(rules) := [
	t.sa("ci", "bot"),
	t.pod("ci", "runner", {"serviceAccountName": "bot", "containers": [t.container("c")]}),
	t.role("ops", "grant", rules),
	t.role_binding("ops", "bot-grant", "Role", "grant", [{"kind": "ServiceAccount", "name": "bot", "namespace": "ci"}]),
	t.sa("ops", "operator"),
	t.pod("ops", "op", {"serviceAccountName": "operator", "containers": [t.container("c")]}),
	t.sa("ops", "idle"),
	t.cluster_admin,
	t.cluster_role_binding("ops-admin", "cluster-admin", [
		{"kind": "ServiceAccount", "name": "operator", "namespace": "ops"},
		{"kind": "ServiceAccount", "name": "idle", "namespace": "ops"},
	]),
]

# The accounts the bot's token reaches cluster-admin through.
admin_via(rules) := {p.tokens[1] | some p in reported; p.sink == "cluster-admin"} if {
	reported := paths.reported with input as t.inv(with_grant(rules))
}

test_create_pods_reaches_any_account if {
	admin_via([{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]) == {"ops/idle"}
}

test_changing_a_controller_reaches_any_account if {
	admin_via([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["patch"]}]) == {"ops/idle"}
}

# Exec, ephemeral containers and image swaps reach only running pods'
# tokens.
test_exec_reaches_running_pods_only if {
	admin_via([{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}]) == {"ops/operator"}
	admin_via([{"apiGroups": [""], "resources": ["pods/ephemeralcontainers"], "verbs": ["patch"]}]) == {"ops/operator"}
	admin_via([{"apiGroups": [""], "resources": ["pods"], "verbs": ["patch"]}]) == {"ops/operator"}
}

# Attach, port-forward, pod templates and reading pods open nothing.
test_requests_that_open_nothing if {
	admin_via([{"apiGroups": [""], "resources": ["pods/attach", "pods/portforward"], "verbs": ["create", "get"]}]) == set()
	admin_via([{"apiGroups": [""], "resources": ["podtemplates"], "verbs": ["create", "update"]}]) == set()
	admin_via([{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}]) == set()
}

# Minting a named token reaches that account only; a rule with
# resourceNames never allows creating pods (a create carries no name).
test_resource_names if {
	admin_via([{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"], "resourceNames": ["operator"]}]) == {"ops/operator"}
	admin_via([{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"], "resourceNames": ["x"]}]) == set()
}

# Node escape: creating pods or controllers, not pod templates.
escapes(rules) := s if {
	s := paths.sinks["node-escape"] with input as t.inv(with_grant(rules))
}

test_node_escape_needs_a_pod if {
	# binding 8 is ops-admin (cluster-admin): it creates anything
	escapes([{"apiGroups": ["batch"], "resources": ["cronjobs"], "verbs": ["create"]}]) == {"binding:3", "binding:8"}
	escapes([{"apiGroups": [""], "resources": ["podtemplates"], "verbs": ["create"]}]) == {"binding:8"}
}

# A tier-0 grant in one namespace (a RoleBinding of */*/*) is that
# namespace's, not the cluster's: no cluster-admin sink.
test_namespace_wildcard_is_no_cluster_admin if {
	objs := [
		t.sa("ops", "op"),
		t.cluster_admin,
		t.role_binding("ops", "ns-admin", "ClusterRole", "cluster-admin", [t.sa_subject("op")]),
		t.cluster_role_binding("real-admin", "cluster-admin", [{"kind": "ServiceAccount", "name": "op", "namespace": "ops"}]),
	]
	sinks := paths.sinks with input as t.inv(objs)
	sinks["cluster-admin"] == {"binding:3"}
}

# Grants to system:serviceaccounts, system:serviceaccounts:<ns> and
# system:authenticated reach every member.
test_group_grants_reach_members if {
	admin_via_group("system:serviceaccounts") == {"ops/idle"}
	admin_via_group("system:serviceaccounts:ci") == {"ops/idle"}
	admin_via_group("system:authenticated") == {"ops/idle"}
	admin_via_group("system:serviceaccounts:other") == set()
}

admin_via_group(grp) := {p.tokens[1] | some p in reported; p.sink == "cluster-admin"} if {
	objs := array.concat(with_grant([]), [
		t.role("ops", "maker", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
		t.role_binding("ops", "group-maker", "Role", "maker", [{"kind": "Group", "name": grp}]),
	])
	reported := paths.reported with input as t.inv(objs)
}

# Named exec reaches the named running pod only.
test_named_exec if {
	admin_via([{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"], "resourceNames": ["op"]}]) == {"ops/operator"}
	admin_via([{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"], "resourceNames": ["other"]}]) == set()
}

# Creating a token Secret and reading it back gives any token.
test_create_and_read_secrets if {
	admin_via([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create", "get"]}]) == {"ops/idle"}
	admin_via([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]}]) == set()
}

# A ServiceAccount that does not exist cannot be taken: a pod cannot run
# as it, no token is minted for it.
test_missing_account_is_no_step if {
	objs := [
		t.sa("ci", "bot"),
		t.pod("ci", "runner", {"serviceAccountName": "bot", "containers": [t.container("c")]}),
		t.role("ops", "maker", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
		t.role_binding("ops", "bot-maker", "Role", "maker", [{"kind": "ServiceAccount", "name": "bot", "namespace": "ci"}]),
		t.cluster_admin,
		t.cluster_role_binding("ghost-admin", "cluster-admin", [{"kind": "ServiceAccount", "name": "ghost", "namespace": "ops"}]),
	]
	r := paths.reported with input as t.inv(objs)
	r == []
}

# A workload defined again later in the input: only the last definition
# runs, so only its account's token can be taken.
test_shadowed_workload_holds_no_token if {
	objs := array.concat(with_grant([{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]), [
		t.sa("ci", "other"),
		t.pod("ci", "runner", {"serviceAccountName": "other", "automountServiceAccountToken": false, "containers": [t.container("c")]}),
	])
	r := paths.reported with input as t.inv(objs)
	r == []
}

# A grant that names a pod or a legacy token Secret leads to the token it
# holds in the grant's namespace only; granted cluster-wide, in every
# namespace.
test_named_targets_by_scope if {
	secret := t.token_secret("ops", "op-token", "operator")
	elsewhere := [
		t.sa("dev", "admin"),
		t.pod("dev", "op", {"serviceAccountName": "admin", "containers": [t.container("c")]}),
		t.token_secret("dev", "op-token", "admin"),
	]
	exec := [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"], "resourceNames": ["op"]}]
	read := [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["op-token"]}]
	named_targets(exec, elsewhere, false) == {"sa:ops/operator"}
	named_targets(read, array.concat([secret], elsewhere), false) == {"sa:ops/operator"}
	named_targets(read, elsewhere, false) == set()
	named_targets(exec, elsewhere, true) == {"sa:ops/operator", "sa:dev/admin"}
	named_targets(read, array.concat([secret], elsewhere), true) == {"sa:ops/operator", "sa:dev/admin"}
}

# Where the bot's grant of rules in ops (or cluster-wide) leads in the
# graph, beside with_grant and objs.
named_targets(rules, objs, cluster_wide) := {n | some n in g[sprintf("binding:%d", [id])]} if {
	inv := t.inv(array.concat(with_grant([]), array.concat(_grant(rules, cluster_wide), objs)))
	g := paths.graph[1] with input as inv # the bindings' edges
	some id, b in inv.objects
	b.name == "bot-named"
	endswith(b.kind, "Binding")
}

_grant(rules, false) := [
	t.role("ops", "named", rules),
	t.role_binding("ops", "bot-named", "Role", "named", [{"kind": "ServiceAccount", "name": "bot", "namespace": "ci"}]),
]

_grant(rules, true) := [
	t.cluster_role("named", rules),
	t.cluster_role_binding("bot-named", "named", [{"kind": "ServiceAccount", "name": "bot", "namespace": "ci"}]),
]
