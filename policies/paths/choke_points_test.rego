package sascan.rules.paths.choke_points_test

import data.sascan.lib.inventory_test as t
import data.sascan.lib.paths
import data.sascan.rules.paths.choke_points as rule

got(objs) := {[f.object, f.severity, f.evidence.kind, f.evidence.cuts] | some f in rule.findings with input as t.inv(objs)}

# Two CI accounts may create pods in ops through one group binding; ops
# holds a cluster-admin account. Each CI token reaches cluster-admin
# through it: two paths.
two_bots := [
	t.sa("ci", "a"),
	t.sa("ci", "b"),
	t.deployment("ci", "a", {"serviceAccountName": "a", "containers": [t.container("c")]}),
	t.deployment("ci", "b", {"serviceAccountName": "b", "containers": [t.container("c")]}),
	t.role("ops", "deployer", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
	t.role_binding("ops", "ci-deploys", "Role", "deployer", [{"kind": "Group", "name": "system:serviceaccounts:ci"}]),
	t.sa("ops", "operator"),
	t.cluster_admin,
	t.cluster_role_binding("operator-admin", "cluster-admin", [{"kind": "ServiceAccount", "name": "operator", "namespace": "ops"}]),
]

test_shared_steps_rank_first if {
	got(two_bots) == {
		[5, "high", "binding", 2], # RoleBinding ops/ci-deploys
		[4, "high", "role", 2], # Role ops/deployer
		[8, "high", "binding", 2], # ClusterRoleBinding operator-admin
	}
}

test_evidence_counts_sinks if {
	some f in rule.findings with input as t.inv(two_bots)
	f.object == 5
	f.evidence.sinks == {"cluster-admin": 2}
	f.evidence.serviceAccounts == ["ci/a", "ci/b"]
	f.message == "Changing RoleBinding ops/ci-deploys cuts 2 attack paths (2 to cluster-admin)"
}

# One path: nothing to rank. The bot reads the operator's legacy token
# Secret; the operator may create pods everywhere (node escape only).
one_path := [
	t.sa("ci", "bot"),
	t.deployment("ci", "runner", {"serviceAccountName": "bot", "containers": [t.container("c")]}),
	t.role("ops", "reader", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
	t.role_binding("ops", "bot-reads", "Role", "reader", [{"kind": "ServiceAccount", "name": "bot", "namespace": "ci"}]),
	t.sa("ops", "operator"),
	t.token_secret("ops", "operator-token", "operator"),
	t.cluster_role("pod-maker", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
	t.cluster_role_binding("operator-pods", "pod-maker", [{"kind": "ServiceAccount", "name": "operator", "namespace": "ops"}]),
]

test_single_path_no_choke_point if {
	[p.sink | some p in paths.reported] == ["node-escape"] with input as t.inv(one_path)
	got(one_path) == set()
}

# A bootstrap role (cluster-admin, object 7) is not the thing to change;
# its binding is.
test_bootstrap_role_left_out if {
	{e[0] | some e in got(two_bots)} == {4, 5, 8}
}
