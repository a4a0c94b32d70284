package sascan.rules.tokens.stale_legacy_token_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.stale_legacy_token as rule

live := {"_mode": "cluster"}

tracking := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kube-apiserver-legacy-service-account-token-tracking", "namespace": "kube-system"}, "data": {"since": "2024-03-01"}}

old_manual := object.union(t.token_secret("ops", "old-manual", "ops-bot"), {"metadata": {"creationTimestamp": "2023-05-01T00:00:00Z"}})

got(objs) := {[f.object, f.severity] | some f in rule.findings with input as t.inv_with(objs, live)}

# TV-SA006-1: manual, unused since tracking began.
test_unused_since_tracking if {
	got([tracking, old_manual]) == {[1, "low"]}
}

# TV-SA006-2: without tracking the absence of the label means nothing.
test_no_tracking_configmap if {
	got([old_manual]) == set()
}

test_stale_last_used if {
	s := object.union(old_manual, {"metadata": {"labels": {"kubernetes.io/legacy-token-last-used": "2025-01-10"}}})
	got([s]) == {[0, "low"]}
}

test_manual_with_tier1_is_medium if {
	s := object.union(old_manual, {"metadata": {"labels": {"kubernetes.io/legacy-token-last-used": "2025-01-10"}}})
	objs := [
		s,
		t.role("ops", "secrets", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
		t.role_binding("ops", "rb", "Role", "secrets", [t.sa_subject("ops-bot")]),
	]
	got(objs) == {[0, "medium"]}
}

test_recent_creation_is_not_stale if {
	s := object.union(t.token_secret("ops", "new", "ops-bot"), {"metadata": {"creationTimestamp": "2026-06-01T00:00:00Z"}})
	got([tracking, s]) == set()
}
