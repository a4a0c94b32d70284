package sascan.rules.automount.default_sa_in_use_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.automount.default_sa_in_use as rule

got(objs) := {[f.object, f.severity, f.path] | some f in rule.findings with input as t.inv(objs)}

# TV-SA018-1: the default SA has view, so medium.
test_default_with_permissions_is_medium if {
	objs := array.concat(t.builtins, [
		t.role_binding("web", "default-view", "ClusterRole", "view", [{"kind": "ServiceAccount", "name": "default", "namespace": "web"}]),
		t.pod("web", "p", {"containers": [t.container("c")]}),
	])
	got(objs) == {[6, "medium", "spec"]}
}

# TV-SA018-2: the deprecated alias still resolves to default.
test_deprecated_alias_default if {
	got([t.pod("web", "p", {"serviceAccount": "default", "containers": [t.container("c")]})]) == {[0, "low", "spec.serviceAccount"]}
}

# TV-SA018-3
test_named_sa_is_not_reported if {
	got([t.pod("web", "p", {"serviceAccountName": "app", "containers": [t.container("c")]})]) == set()
}

test_opted_out_without_projection_is_not_reported if {
	got([t.pod("web", "p", {"automountServiceAccountToken": false, "containers": [t.container("c")]})]) == set()
}

test_projected_token_counts if {
	p := t.pod("web", "p", {
		"automountServiceAccountToken": false,
		"containers": [{"name": "c", "image": "x", "volumeMounts": [{"name": "tok", "mountPath": "/t"}]}],
		"volumes": [{"name": "tok", "projected": {"sources": [{"serviceAccountToken": {"path": "t", "audience": "vault"}}]}}],
	})
	got([p]) == {[0, "low", "spec"]}
}

# --audit-log: the default account made no request: the evidence says so.
test_audit_log_cites_the_window if {
	objs := [t.deployment("web", "frontend", {"containers": [t.container("c")]})]
	quiet := [[f.confidence, f.evidence.auditWindow, f.evidence.auditRequests] | some f in rule.findings with input as t.inv_with(objs, {"_audit": t.window})]
	quiet == [["certain", {"first": "2026-06-30T00:00:00Z", "last": "2026-06-30T12:00:00Z"}, 0]]
	busy := [object.get(f.evidence, "auditWindow", null) |
		some f in rule.findings with input as t.inv_with(objs, {"_audit": array.concat(t.window, [t.sa_event("web", "default", "2026-06-30T01:00:00Z")])})
	]
	busy == [null]
}
