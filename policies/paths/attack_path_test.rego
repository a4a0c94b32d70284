package sascan.rules.paths.attack_path_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.paths.attack_path as rule

got(objs) := {[f.object, f.key, f.severity, f.evidence.tokens] | some f in rule.findings with input as t.inv(objs)}

# ci/bot runs in a Deployment; it may create pods in ops, where
# ops/operator is cluster-admin.
ci := [
	t.sa("ci", "bot"),
	t.deployment("ci", "runner", {"serviceAccountName": "bot", "containers": [t.container("c")]}),
	t.role("ops", "deployer", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
	t.role_binding("ops", "deploy", "Role", "deployer", [{"kind": "ServiceAccount", "name": "bot", "namespace": "ci"}]),
	t.sa("ops", "operator"),
	t.cluster_admin,
	t.cluster_role_binding("operator-admin", "cluster-admin", [{"kind": "ServiceAccount", "name": "operator", "namespace": "ops"}]),
]

# The operator's binding is also a secrets and token-minting sink: one
# route, reported for its first sink.
test_create_pods_then_cluster_admin if {
	got(ci) == {[1, "cluster-admin", "critical", ["ci/bot", "ops/operator"]]} # on Deployment ci/runner
}

test_steps_name_the_grant_and_the_binding if {
	some f in rule.findings with input as t.inv(ci)
	f.key == "cluster-admin"
	f.evidence.steps == [
		{"from": "ServiceAccount ci/bot", "to": "ServiceAccount ops/operator", "action": "create pods in namespace ops", "via": "RoleBinding ops/deploy", "as": ""},
		{"from": "ServiceAccount ops/operator", "to": "cluster-admin", "action": "admission webhooks (P13) cluster-wide, bind roles (P11) cluster-wide, escalate roles (P10) cluster-wide, everything (P01) cluster-wide, impersonate (P09) cluster-wide, issue certificates (P14) cluster-wide, proxy to nodes (P12) cluster-wide", "via": "ClusterRoleBinding operator-admin", "as": ""},
	]
	f.evidence.sources == ["Deployment ci/runner (automounted token)"]
	f.related == [{"object": 1, "path": ""}, {"object": 3, "path": ""}, {"object": 6, "path": ""}]
}

# Without a token to start from (automount off) there is no path.
test_no_token_no_path if {
	objs := array.concat([object.union(t.sa("ci", "bot"), {"automountServiceAccountToken": false})], array.slice(ci, 1, count(ci)))
	got(objs) == set()
}

# A token that holds the sink's grant itself is not a path (SA013's).
test_direct_grant_is_not_a_path if {
	got([
		t.sa("ops", "operator"),
		t.deployment("ops", "op", {"serviceAccountName": "operator", "containers": [t.container("c")]}),
		t.cluster_admin,
		t.cluster_role_binding("operator-admin", "cluster-admin", [{"kind": "ServiceAccount", "name": "operator", "namespace": "ops"}]),
	]) == set()
}

# Through a group: every ServiceAccount of ci may read Secrets in ops,
# where a legacy token Secret holds the operator's token.
test_group_grant_and_legacy_token_secret if {
	objs := [
		t.sa("ci", "bot"),
		t.deployment("ci", "runner", {"serviceAccountName": "bot", "containers": [t.container("c")]}),
		t.role("ops", "reader", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
		t.role_binding("ops", "ci-reads", "Role", "reader", [{"kind": "Group", "name": "system:serviceaccounts:ci"}]),
		t.sa("ops", "operator"),
		t.token_secret("ops", "operator-token", "operator"),
		t.cluster_admin,
		t.cluster_role_binding("operator-admin", "cluster-admin", [{"kind": "ServiceAccount", "name": "operator", "namespace": "ops"}]),
	]
	found := {[f.key, f.evidence.steps[0].as, f.evidence.steps[0].action] | some f in rule.findings with input as t.inv(objs); f.object == 1}
	found == {["cluster-admin", "system:serviceaccounts:ci", "read Secrets in namespace ops"]}
}

# resourceNames narrow minting tokens to the named ServiceAccount: the
# operator's token is out of reach when another one is named. Minting is
# the bot's own grant; the operator's binding is every sink, reported as
# cluster-admin.
mint(names) := [
	t.sa("ci", "bot"),
	t.deployment("ci", "runner", {"serviceAccountName": "bot", "containers": [t.container("c")]}),
	t.role("ops", "minter", [{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"], "resourceNames": names}]),
	t.role_binding("ops", "mint", "Role", "minter", [{"kind": "ServiceAccount", "name": "bot", "namespace": "ci"}]),
	t.sa("ops", "operator"),
	t.cluster_admin,
	t.cluster_role_binding("operator-admin", "cluster-admin", [{"kind": "ServiceAccount", "name": "operator", "namespace": "ops"}]),
]

test_resource_names_narrow if {
	{k | some [_, k, _, _] in got(mint(["operator"]))} == {"cluster-admin"}
	got(mint(["other"])) == set()
}

# One finding per place the token can be taken: the Deployment that mounts
# it and the legacy token Secret that holds it, each with how.
test_one_finding_per_source if {
	objs := array.concat(ci, [t.token_secret("ci", "bot-token", "bot")])
	found := {[f.object, f.evidence.sources[0]] | some f in rule.findings with input as t.inv(objs)}
	found == {
		[1, "Deployment ci/runner (automounted token)"],
		[7, "Secret ci/bot-token (legacy token Secret)"],
	}
}
