package sascan.rules.rbac.binding_hygiene_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.rbac.binding_hygiene as rule

got(objs, complete) := {[f.object, f.severity, f.path, f.evidence.subCheck] | some f in rule.findings with input as t.inv_with(objs, {"corpusComplete": complete})}

# TV-SA014-1 (a)
test_crb_subject_without_namespace if {
	got([t.cluster_role_binding("bad", "view", [t.sa_subject("app")])], false) == {[0, "low", "subjects[0]", "a"]}
}

# TV-SA014-2 (b) = TV-SA011-3
test_user_subject_as_sa if {
	objs := [t.role_binding("web", "rb", "Role", "pod-reader", [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "system:serviceaccount:web:default"}])]
	got(objs, false) == {[0, "medium", "subjects[0]", "b"]}
}

# TV-SA014-3 (c)+(d) with --corpus-complete only.
test_missing_sa_and_role if {
	objs := [t.role_binding("ns1", "rb", "Role", "not-there", [t.sa_subject("ghost")])]
	got(objs, true) == {[0, "low", "subjects[0]", "c"], [0, "low", "roleRef", "d"]}
	got(objs, false) == set()
}

test_missing_sa_with_dangerous_role_is_medium if {
	objs := [t.role("ns1", "secrets", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]), t.role_binding("ns1", "rb", "Role", "secrets", [t.sa_subject("ghost")])]
	got(objs, true) == {[1, "medium", "subjects[0]", "c"]}
}

test_builtin_roles_exist if {
	got([t.sa("ns1", "app"), t.role_binding("ns1", "rb", "ClusterRole", "system:auth-delegator", [t.sa_subject("app")])], true) == set()
}

# TV-SA014-4
test_valid_rolebinding_without_subject_namespace if {
	got(array.concat(t.builtins, [t.sa("ns1", "app"), t.role_binding("ns1", "rb", "ClusterRole", "view", [t.sa_subject("app")])]), true) == set()
}

# (e)
test_sa_subject_with_api_group if {
	got([t.sa("ns1", "app"), t.role_binding("ns1", "rb", "ClusterRole", "view", [{"kind": "ServiceAccount", "name": "app", "apiGroup": "rbac.authorization.k8s.io"}])], false) == {[1, "low", "subjects[0]", "e"]}
}

# A live scan limited by -n or --exclude-namespace lists ServiceAccounts
# and Roles only in the namespaces it keeps: a subject or role in another
# namespace is not known to be missing.
live_filtered(objs, filter) := {[f.object, f.evidence.subCheck] | some f in rule.findings with input as t.inv_with(objs, {"_mode": "cluster", "namespaceFilter": filter})}

test_filtered_live_scan_concludes_nothing_from_unlisted_namespaces if {
	objs := [
		t.cluster_role_binding("robot", "view", [{"kind": "ServiceAccount", "name": "robot", "namespace": "live-ci"}]),
		t.role_binding("live-ci", "gone", "Role", "missing", [{"kind": "ServiceAccount", "name": "robot"}]),
	]
	live_filtered(objs, {"include": ["live-a"], "exclude": []}) == set()
	live_filtered(objs, {"include": [], "exclude": ["live-ci"]}) == set()
	live_filtered(objs, {"include": ["live-ci"], "exclude": []}) == {[0, "c"], [1, "c"], [1, "d"]}
	{[f.object, f.evidence.subCheck] | some f in rule.findings with input as t.inv_with(objs, {"_mode": "cluster"})} == {[0, "c"], [1, "c"], [1, "d"]}
}
