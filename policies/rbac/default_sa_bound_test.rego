package sascan.rules.rbac.default_sa_bound_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.rbac.default_sa_bound as rule

got(objs) := {[f.object, f.severity, f.path] | some f in rule.findings with input as t.inv_with(objs, {"kubeVersion": {"major": 1, "minor": 34, "known": true}})}

# TV-SA011-1: namespace defaults to the binding's; edit grants P03/P04.
test_rolebinding_edit_to_default_is_high if {
	got(array.concat(t.builtins, [t.role_binding("web", "edit-default", "ClusterRole", "edit", [t.sa_subject("default")])])) == {[5, "high", "subjects[0]"]}
}

# TV-SA011-2
test_cluster_admin_to_kube_system_default_is_critical if {
	got(array.concat(t.builtins, [t.cluster_role_binding("addons", "cluster-admin", [{"kind": "ServiceAccount", "name": "default", "namespace": "kube-system"}])])) == {[5, "critical", "subjects[0]"]}
}

# TV-SA011-3: a User subject spelled as the SA username.
test_user_subject_naming_default_is_medium if {
	objs := [
		t.role("web", "pod-reader", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]),
		t.role_binding("web", "rb", "Role", "pod-reader", [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "system:serviceaccount:web:default"}]),
	]
	got(objs) == {[1, "medium", "subjects[0]"]}
}

# TV-SA011-4
test_other_namespace_non_default_sa_is_not_reported if {
	got(array.concat(t.builtins, [t.role_binding("web", "rb", "ClusterRole", "view", [{"kind": "ServiceAccount", "name": "app", "namespace": "other"}])])) == set()
}

test_unknown_role_is_medium_likely if {
	fs := rule.findings with input as t.inv([t.role_binding("web", "rb", "ClusterRole", "custom", [t.sa_subject("default")])])
	{[f.severity, f.confidence] | some f in fs} == {["medium", "likely"]}
}

test_baseline_only_role_is_not_reported if {
	objs := [
		t.cluster_role("probe", [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]),
		t.cluster_role_binding("probe", "probe", [{"kind": "ServiceAccount", "name": "default", "namespace": "web"}]),
	]
	got(objs) == set()
}

test_group_subject_is_sa012_not_sa011 if {
	got(array.concat(t.builtins, [t.role_binding("web", "rb", "ClusterRole", "edit", [{"kind": "Group", "name": "system:serviceaccounts:web"}])])) == set()
}
