package sascan.rules.rbac.unused_grant_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.rbac.unused_grant as rule

objs := [
	t.sa("ci", "deployer"),
	t.role("ci", "deploy", [
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]},
		{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["patch"]},
	]),
	t.role_binding("ci", "deploy", "Role", "deploy", [t.sa_subject("deployer")]),
	t.role("ci", "secrets", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
	t.role_binding("ci", "secrets", "Role", "secrets", [t.sa_subject("deployer")]),
]

list_pods := t.resource_request(t.sa_event("ci", "deployer", "2026-06-30T03:00:00Z"), "list", "", "pods", "ci")

got(events) := {[f.object, f.path, f.severity, count(f.evidence.unusedRules)] |
	some f in rule.findings with input as t.inv_with(objs, {"_audit": array.concat(t.window, events)})
}

test_partly_and_wholly_unused if {
	got([list_pods]) == {[2, "subjects[0]", "low", 1], [4, "subjects[0]", "medium", 1]}
}

test_everything_used if {
	patch := t.resource_request(t.sa_event("ci", "deployer", "2026-06-30T04:00:00Z"), "patch", "apps", "deployments", "ci")
	get_secret := t.resource_request(t.sa_event("ci", "deployer", "2026-06-30T05:00:00Z"), "get", "", "secrets", "ci")
	got([list_pods, patch, get_secret]) == set()
}

# A denied request uses no grant.
test_denied_request_uses_nothing if {
	denied := object.union(t.resource_request(t.sa_event("ci", "deployer", "2026-06-30T04:00:00Z"), "patch", "apps", "deployments", "ci"), {"annotations": {"authorization.k8s.io/decision": "forbid"}})
	got([list_pods, denied]) == {[2, "subjects[0]", "low", 1], [4, "subjects[0]", "medium", 1]}
}

# The evidence has the least-privilege role of what the account did.
test_least_privilege_evidence if {
	fs := rule.findings with input as t.inv_with(objs, {"_audit": array.concat(t.window, [list_pods])})
	{f.evidence.leastPrivilege | some f in fs} == {[{"kind": "Role", "namespace": "ci", "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]}]}
}

# Group grants and the bootstrap policy's bindings are not judged.
test_groups_and_bootstrap_are_not_judged if {
	group := [
		t.role("ci", "r", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]),
		t.role_binding("ci", "all", "Role", "r", [{"kind": "Group", "name": "system:serviceaccounts:ci"}]),
		object.union(t.cluster_role_binding("system:controller:x", "cluster-admin", [{"kind": "ServiceAccount", "name": "x", "namespace": "kube-system"}]), {"_origin": "builtin"}),
		t.cluster_admin,
		# the control: the same role bound to the account itself is judged
		t.sa("ci", "deployer"),
		t.role_binding("ci", "own", "Role", "r", [t.sa_subject("deployer")]),
	]
	fs := rule.findings with input as t.inv_with(group, {"_audit": t.window})
	{[f.object, f.path] | some f in fs} == {[5, "subjects[0]"]}
}

test_without_log_nothing if {
	count(rule.findings) == 0 with input as t.inv(objs)
}

# More distinct requests than the ledger keeps (4,096 per account): the
# ones it dropped may have used any grant, so none is called unused.
test_incomplete_ledger_concludes_nothing if {
	many := [object.union(list_pods, {"requestURI": sprintf("/api/v1/namespaces/ci/pods/p-%d", [i]), "objectRef": {"resource": "pods", "namespace": "ci", "name": sprintf("p-%d", [i]), "apiVersion": "v1"}, "verb": "get"}) |
		some i in numbers.range(0, 4096)
	]
	got(many) == set()
	got(array.slice(many, 0, 10)) == {[2, "subjects[0]", "low", 1], [4, "subjects[0]", "medium", 1]}
}
