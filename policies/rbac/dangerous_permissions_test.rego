package sascan.rules.rbac.dangerous_permissions_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.rbac.dangerous_permissions as rule

v(minor) := {"kubeVersion": {"major": 1, "minor": minor, "known": true}}

got(objs, minor) := {[f.object, f.severity] | some f in rule.findings with input as t.inv_with(objs, v(minor))}

# TV-SA013-1 (= TV-SA001-2): not dormant, a token Secret names it.
test_cluster_admin_with_token_secret_is_critical if {
	objs := array.concat(t.builtins, [
		t.token_secret("ci", "deployer-token", "deployer"),
		t.sa("ci", "deployer"),
		t.cluster_role_binding("deployer-admin", "cluster-admin", [{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]),
	])
	got(objs, 34) == {[6, "critical"]}
}

debugger := [
	t.sa("app", "debugger"),
	t.role("app", "exec", [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["get"]}]),
	t.role_binding("app", "exec", "Role", "exec", [t.sa_subject("debugger")]),
	t.deployment("app", "dbg", {"serviceAccountName": "debugger", "containers": [t.container("c")]}),
]

# TV-SA013-2: get pods/exec counts before 1.35 only.
test_exec_get_before_135 if {
	got(debugger, 34) == {[0, "high"]}
	got(debugger, 35) == set()
}

# TV-SA013-3: "pods/*" is a literal.
test_pods_star_literal if {
	objs := [
		t.sa("app", "s"),
		t.role("app", "r", [{"apiGroups": [""], "resources": ["pods/*"], "verbs": ["create"]}]),
		t.role_binding("app", "r", "Role", "r", [t.sa_subject("s")]),
	]
	got(objs, 34) == set()
}

node_proxy := t.cluster_role("node-proxy", [{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]}])

# TV-SA013-4: a RoleBinding cannot grant cluster-scoped nodes/proxy ...
test_node_proxy_through_rolebinding if {
	got([t.sa("obs", "mon"), node_proxy, t.role_binding("obs", "np", "ClusterRole", "node-proxy", [t.sa_subject("mon")])], 34) == set()
}

# ... a ClusterRoleBinding does: critical, one lower for dormant.
test_node_proxy_through_clusterrolebinding_dormant if {
	got([t.sa("obs", "mon"), node_proxy, t.cluster_role_binding("np", "node-proxy", [{"kind": "ServiceAccount", "name": "mon", "namespace": "obs"}])], 34) == {[0, "high"]}
}

test_sa_not_in_scan_reported_on_binding if {
	got([node_proxy, t.cluster_role_binding("np", "node-proxy", [{"kind": "ServiceAccount", "name": "mon", "namespace": "obs"}])], 34) == {[1, "high"]}
}

test_group_grant_applies if {
	objs := [
		t.sa("web", "app"),
		t.pod("web", "p", {"serviceAccountName": "app", "containers": [t.container("c")]}),
		t.cluster_role("secrets", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]),
		t.cluster_role_binding("all", "secrets", [{"kind": "Group", "name": "system:serviceaccounts"}]),
	]

	# The implicit default ServiceAccount of web (id 4) is in the group too, dormant.
	got(objs, 34) == {[0, "critical"], [4, "high"]}
}

# An account the scan does not hold, whose top tier comes from a group
# grant alone, is reported on the group's binding (id 2); the implicit
# default ServiceAccount of web (id 3) on itself.
test_group_grant_to_account_not_in_scan_reported_on_binding if {
	objs := [
		t.pod("web", "p", {"serviceAccountName": "ghost", "containers": [t.container("c")]}),
		t.cluster_role("secrets", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]),
		t.cluster_role_binding("all", "secrets", [{"kind": "Group", "name": "system:serviceaccounts"}]),
	]
	got(objs, 34) == {[2, "critical"], [3, "high"]}
}

# A capability that two targets of one grant give (impersonating users and
# ServiceAccounts are both P09 cluster-wide) is listed once.
test_capabilities_listed_once if {
	objs := array.concat(t.builtins, [
		t.sa("ci", "deployer"),
		t.cluster_role_binding("deployer-admin", "cluster-admin", [{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]),
	])
	some f in rule.findings with input as t.inv_with(objs, v(34))
	caps := f.evidence.capabilities
	count(caps) == count({c | some c in caps})
	f.evidence.capabilitiesTotal == count(caps)
	count([c | some c in caps; startswith(c, "P09 ")]) == 1
}

# Dormant needs the account's namespace listed: a live scan of web alone
# cannot tell whether a pod of obs runs as obs/mon.
test_dormant_needs_the_namespace_listed if {
	objs := [t.sa("obs", "mon"), node_proxy, t.cluster_role_binding("np", "node-proxy", [{"kind": "ServiceAccount", "name": "mon", "namespace": "obs"}])]
	live(objs, ["web"]) == {[0, "critical", false]}
	live(objs, ["web", "obs"]) == {[0, "high", true]}
}

live(objs, listed) := {[f.object, f.severity, f.evidence.dormant] |
	some f in rule.findings with input as t.inv_with(objs, object.union(v(34), {"_mode": "cluster", "namespaceFilter": {"include": listed, "exclude": []}}))
}

# An account whose name holds a slash is no account: no finding for it.
test_malformed_account_key if {
	objs := [
		t.pod("web", "p", {"serviceAccountName": "x/y", "containers": [t.container("c")]}),
		t.cluster_role("secrets", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]),
		t.cluster_role_binding("all", "secrets", [{"kind": "Group", "name": "system:serviceaccounts"}]),
	]
	{sa | some f in rule.findings with input as t.inv_with(objs, v(34)); sa := f.evidence.serviceAccount} == {"web/default"}
}

# Accounts of one namespace get what their groups grant, and each keeps
# what bindings grant it by name: web/app's exec RoleBinding (id 4) is in
# its capabilities and related objects, never in web/other's, whose
# finding names the group's binding (id 5) alone.
test_direct_grants_stay_with_their_account if {
	objs := [
		t.sa("web", "app"),
		t.sa("web", "other"),
		t.cluster_role("secrets", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]),
		t.role("web", "exec", [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}]),
		t.role_binding("web", "exec", "Role", "exec", [t.sa_subject("app")]),
		t.cluster_role_binding("all", "secrets", [{"kind": "Group", "name": "system:serviceaccounts"}]),
	]
	fs := {f.evidence.serviceAccount: [f.evidence.capabilities, f.evidence.groupGrants, [r.object | some r in f.related]] |
		some f in rule.findings with input as t.inv_with(objs, v(34))
	}
	group := ["T0 through group system:serviceaccounts (1 binding(s))"]
	fs == {
		"web/app": [["P05 T1 via RoleBinding exec (web)"], group, [4, 5]],
		"web/other": [[], group, [5]],
		"web/default": [[], group, [5]], # implicit
	}
}
