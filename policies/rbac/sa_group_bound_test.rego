package sascan.rules.rbac.sa_group_bound_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.rbac.sa_group_bound as rule

got(objs) := {[f.object, f.severity, f.path] | some f in rule.findings with input as t.inv(objs)}

group(name) := {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": name}

# TV-SA012-1
test_view_to_all_sas_cluster_wide_is_high if {
	got(array.concat(t.builtins, [t.cluster_role_binding("serviceaccounts-view", "view", [group("system:serviceaccounts")])])) == {[5, "high", "subjects[0]"]}
}

# TV-SA012-2: the bootstrap issuer-discovery binding.
test_bootstrap_binding_is_not_reported if {
	b := object.union(t.cluster_role_binding("system:service-account-issuer-discovery", "system:service-account-issuer-discovery", [group("system:serviceaccounts")]), {"metadata": {"annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}}})
	got([b]) == set()
}

# A bootstrap binding with an extra group is checked for that group, live
# too: the bundled policy, not the object's own label, says which groups it
# names by design.
test_modified_bootstrap_binding_extra_subject if {
	labels := {"metadata": {"labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}, "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}}}
	objs := [
		t.cluster_admin,
		object.union(t.cluster_role_binding("cluster-admin", "cluster-admin", [group("system:masters"), group("system:serviceaccounts")]), labels),
		object.union(t.cluster_role_binding("system:discovery", "system:discovery", [group("system:authenticated")]), labels),
	]
	{[f.object, f.path] | some f in rule.findings with input as t.inv_with(objs, {"_mode": "cluster"})} == {[1, "subjects[1]"]}
}

# TV-SA012-3
test_namespace_group_secret_list_is_high if {
	objs := [
		t.role("team-a", "secret-reader", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]),
		t.role_binding("team-a", "all-sa-secrets", "Role", "secret-reader", [group("system:serviceaccounts:team-a")]),
	]
	got(objs) == {[1, "high", "subjects[0]"]}
}

test_t1_in_kube_system_is_critical if {
	objs := [
		t.role("kube-system", "secret-reader", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]),
		t.role_binding("kube-system", "rb", "Role", "secret-reader", [group("system:authenticated")]),
	]
	got(objs) == {[1, "critical", "subjects[0]"]}
}

test_authenticated_cluster_wide_t1_is_critical if {
	objs := [
		t.cluster_role("secret-reader", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]),
		t.cluster_role_binding("crb", "secret-reader", [group("system:authenticated")]),
	]
	got(objs) == {[1, "critical", "subjects[0]"]}
}

test_namespace_group_view_is_medium if {
	got(array.concat(t.builtins, [t.role_binding("web", "rb", "ClusterRole", "view", [group("system:serviceaccounts:web")])])) == {[5, "medium", "subjects[0]"]}
}

test_unauthenticated_is_not_an_sa_group if {
	got(array.concat(t.builtins, [t.cluster_role_binding("crb", "view", [group("system:unauthenticated")])])) == set()
}
