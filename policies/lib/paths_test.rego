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
