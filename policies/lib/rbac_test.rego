package sascan.lib.rbac_test

import data.sascan.lib.inventory_test as t
import data.sascan.lib.rbac

# a RoleBinding's ServiceAccount subject defaults to the binding's
# namespace; a ClusterRoleBinding's has none.
test_subject_namespace_defaults_in_rolebinding if {
	objs := [t.role_binding("web", "rb", "ClusterRole", "view", [t.sa_subject("app")])]
	rbac.model.direct == {"web/app": [[0, 0]]} with input as t.inv(objs)
}

test_clusterrolebinding_subject_without_namespace_names_nobody if {
	objs := [t.cluster_role_binding("crb", "view", [t.sa_subject("app")])]
	rbac.model.direct == {} with input as t.inv(objs)
}

test_user_subject_spelled_as_sa_username_applies if {
	objs := [t.role_binding("web", "rb", "Role", "r", [{"kind": "User", "name": "system:serviceaccount:other:bot"}])]
	rbac.model.direct == {"other/bot": [[0, 0]]} with input as t.inv(objs)
}

# an aggregated role's own rules are overwritten; nested aggregation
# converges transitively and survives cycles.
test_aggregation_is_transitive_and_ignores_own_rules if {
	top := object.union(t.cluster_role("top", [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}]), {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"to-top": "true"}}]}})
	mid := object.union(t.cluster_role("mid", []), {
		"metadata": {"name": "mid", "labels": {"to-top": "true"}},
		"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"to-mid": "true"}}]},
	})
	leaf := object.union(t.cluster_role("leaf", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]), {"metadata": {"name": "leaf", "labels": {"to-mid": "true", "to-top": "false"}}})
	cyc := object.union(t.cluster_role("cyc", []), {
		"metadata": {"name": "cyc", "labels": {"to-mid": "true"}},
		"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"to-top": "true"}}]},
	})
	rules := rbac.role_rules("ClusterRole/top") with input as t.inv([top, mid, leaf, cyc])
	{r.resources[0] | some r in rules} == {"secrets"}
}

# Rule matching: pods/* is a literal; pods does not cover pods/exec.
test_pods_star_is_not_a_wildcard if {
	r := t.rule({"apiGroups": [""], "resources": ["pods/*"], "verbs": ["create"]})
	rbac.rule_capabilities(r, "ns") == set() with input as t.inv([])
}

test_star_subresource_matches if {
	r := t.rule({"apiGroups": [""], "resources": ["*/exec"], "verbs": ["create"]})
	rbac.rule_capabilities(r, "ns") == {{"id": "P05", "tier": 1}} with input as t.inv([])
}

test_exec_get_counts_only_before_135 if {
	r := t.rule({"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["get"]})
	rbac.rule_capabilities(r, "ns") == {{"id": "P05", "tier": 1}} with input as t.inv_with([], {"kubeVersion": {"major": 1, "minor": 34, "known": true}})
	rbac.rule_capabilities(r, "ns") == set() with input as t.inv_with([], {"kubeVersion": {"major": 1, "minor": 35, "known": true}})
}

test_nodes_proxy_get_is_tier0_only_cluster_wide if {
	r := t.rule({"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]})
	rbac.rule_capabilities(r, "*") == {{"id": "P12", "tier": 0}} with input as t.inv([])
	rbac.rule_capabilities(r, "obs") == set() with input as t.inv([])
}

test_scope_upgrade if {
	rbac.capabilities_of({t.rule({"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]})}, "*") == {{"id": "P03", "tier": 0, "scope": "*", "upgraded": true}} with input as t.inv([])
	rbac.capabilities_of({t.rule({"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]})}, "kube-system") == {{"id": "P03", "tier": 0, "scope": "kube-system", "upgraded": true}} with input as t.inv([])
	rbac.capabilities_of({t.rule({"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]})}, "web") == {{"id": "P03", "tier": 1, "scope": "web", "upgraded": false}} with input as t.inv([])
}

test_partial_wildcard_without_match_is_p02 if {
	rbac.capabilities_of({t.rule({"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]})}, "web") == {{"id": "P02", "tier": 2, "scope": "web", "upgraded": false}} with input as t.inv([])
}

test_secret_create_alone_is_not_p08 if {
	rbac.capabilities_of({t.rule({"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]})}, "web") == set() with input as t.inv([])
}

test_resource_names_narrow if {
	r := t.rule({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["one"]})
	rbac.rule_capabilities(r, "web") == {{"id": "P03", "tier": 2}} with input as t.inv([])
}

# The baseline is what the bootstrap policy grants every ServiceAccount
# (discovery, self reviews, issuer discovery); through a RoleBinding a rule
# on cluster-scoped resources only grants nothing.
test_discovery_baseline if {
	objs := [
		t.cluster_role("urls", [{"nonResourceURLs": ["/healthz", "/version"], "verbs": ["get"]}]),
		t.cluster_role("ssar", [{"apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews"], "verbs": ["create"]}]),
		t.cluster_role("cm", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]),
		t.cluster_role("nodes", [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}]),
		t.cluster_role("metrics", [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]),
	]
	inp := t.inv(objs)
	not rbac.exceeds_baseline("ClusterRole/urls", "*") with input as inp
	not rbac.exceeds_baseline("ClusterRole/ssar", "*") with input as inp
	rbac.exceeds_baseline("ClusterRole/cm", "web") with input as inp
	not rbac.exceeds_baseline("ClusterRole/nodes", "web") with input as inp
	rbac.exceeds_baseline("ClusterRole/nodes", "*") with input as inp
	rbac.exceeds_baseline("ClusterRole/metrics", "*") with input as inp
}

# direct_bindings: the bindings that name the account and grant it a
# capability; one whose role grants nothing dangerous is left out, and so
# is one that names another account.
test_direct_bindings_keep_the_granting_ones if {
	objs := array.concat(t.builtins, [
		t.sa("web", "app"),
		t.role("web", "reader", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]),
		t.role_binding("web", "reads", "Role", "reader", [t.sa_subject("app")]),
		t.role_binding("web", "admin", "ClusterRole", "cluster-admin", [t.sa_subject("app")]),
		t.role_binding("web", "other", "ClusterRole", "cluster-admin", [t.sa_subject("other")]),
	])
	inv := t.inv(objs)
	ids := rbac.direct_bindings("web/app") with input as inv
	{rbac.bindings[id].name | some id in ids} == {"admin"} with input as inv
}
