package sascan.rules.automount.unneeded_automount_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.automount.unneeded_automount as rule

got(objs) := {[f.object, f.severity, f.path] | some f in rule.findings with input as t.inv(objs)}

frontend := t.deployment("web", "frontend", {"containers": [t.container("c")]})

# TV-SA016-1
test_default_sa_without_rbac_is_low if {
	got(array.concat(t.builtins, [frontend, t.role_binding("web", "unrelated", "ClusterRole", "view", [t.sa_subject("other")])])) == {[5, "low", "spec.template.spec"]}
}

# TV-SA016-2
test_pod_level_opt_out if {
	got([t.deployment("web", "frontend", {"automountServiceAccountToken": false, "containers": [t.container("c")]})]) == set()
}

# TV-SA016-3: Pod true wins over SA false.
test_pod_true_overrides_sa_false if {
	objs := [
		object.union(t.sa("web", "app"), {"automountServiceAccountToken": false}),
		t.pod("web", "p", {"serviceAccountName": "app", "automountServiceAccountToken": true, "containers": [t.container("c")]}),
	]
	got(objs) == {[1, "low", "spec.automountServiceAccountToken"]}
}

test_sa_false_without_pod_setting if {
	objs := [
		object.union(t.sa("web", "app"), {"automountServiceAccountToken": false}),
		t.pod("web", "p", {"serviceAccountName": "app", "containers": [t.container("c")]}),
	]
	got(objs) == set()
}

# TV-SA016-4: the SA has real permissions: the token is presumed needed.
test_sa_with_permissions_is_not_reported if {
	objs := [
		t.sa("web", "cfg"),
		t.role("web", "cm", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "watch"]}]),
		t.role_binding("web", "cm", "Role", "cm", [t.sa_subject("cfg")]),
		t.pod("web", "p", {"serviceAccountName": "cfg", "containers": [t.container("c")]}),
	]
	got(objs) == set()
}

test_group_grant_counts_as_permission if {
	objs := [
		t.cluster_role("cm", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]),
		t.cluster_role_binding("all", "cm", [{"kind": "Group", "name": "system:serviceaccounts"}]),
		t.pod("web", "p", {"containers": [t.container("c")]}),
	]
	got(objs) == set()
}

test_without_rbac_objects_is_info if {
	got([frontend]) == {[0, "info", "spec.template.spec"]}
}

test_every_container_mounting_the_default_path_gets_no_token if {
	p := t.pod("web", "p", {"containers": [{"name": "c", "image": "x", "volumeMounts": [{"name": "v", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}], "volumes": [{"name": "v", "emptyDir": {}}]})
	got([t.sa("web", "default"), p]) == set()
}

test_mirror_pod_is_excluded if {
	p := object.union(t.pod("web", "m", {"containers": [t.container("c")]}), {"metadata": {"annotations": {"kubernetes.io/config.mirror": "x"}}})
	got([t.sa("web", "default"), p]) == set()
}

# A live scan that listed only some namespaces has not seen every
# RoleBinding that may grant the account: the need is unknown (info).
test_filtered_live_scan_cannot_judge_need if {
	objs := [t.sa("web", "app"), t.pod("web", "p", {"serviceAccountName": "app", "containers": [t.container("c")]})]
	whole := {[f.severity, f.evidence.permissionsObservable] | some f in rule.findings with input as t.inv_with(objs, {"_mode": "cluster"})}
	whole == {["low", true]}
	filtered := [f | some f in rule.findings with input as t.inv_with(objs, {"_mode": "cluster", "namespaceFilter": {"include": ["web"], "exclude": []}})]
	[[f.severity, f.evidence.permissionsObservable] | some f in filtered] == [["info", false]]
	contains(filtered[0].message, "listed only some namespaces")
}

# --audit-log: the account made no request while the workload existed, so
# the token is unneeded for certain and the evidence cites the window.
test_audit_log_makes_it_certain if {
	objs := array.concat(t.builtins, [frontend])
	quiet := [[f.confidence, f.evidence.auditWindow] | some f in rule.findings with input as t.inv_with(objs, {"_audit": t.window})]
	quiet == [["certain", {"first": "2026-06-30T00:00:00Z", "last": "2026-06-30T12:00:00Z"}]]
	busy := [[f.confidence, object.get(f.evidence, "auditWindow", null)] |
		some f in rule.findings with input as t.inv_with(objs, {"_audit": array.concat(t.window, [t.sa_event("web", "default", "2026-06-30T01:00:00Z")])})
	]
	busy == [["likely", null]]
}
