package sascan.lib.paths_test

import data.sascan.lib.inventory_test as t
import data.sascan.lib.paths

# n0 -> n1 -> ... -> n4: each account runs in a Deployment and may create
# pods in the next namespace; n4/sa is cluster-admin.
chain := array.concat(
	[o |
		some i in numbers.range(0, 3)
		ns := sprintf("n%d", [i])
		next := sprintf("n%d", [i + 1])
		some o in [
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
	g["sa:n0/sa"] == ["binding:2"]
	"any:n4" in g["any:*"]
}

# Pod Security "restricted" enforced: creating pods there is no node escape.
test_enforced_pod_security_is_no_node_escape if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n1", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}
	sinks := paths.sinks with input as t.inv(array.concat(chain, [ns]))
	not "binding:2" in sinks["node-escape"]
	"binding:5" in sinks["node-escape"]
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

# Minting a named token reaches that account only; creating pods cannot
# be narrowed by name.
test_resource_names if {
	admin_via([{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"], "resourceNames": ["operator"]}]) == {"ops/operator"}
	admin_via([{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"], "resourceNames": ["x"]}]) == {"ops/idle"}
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
