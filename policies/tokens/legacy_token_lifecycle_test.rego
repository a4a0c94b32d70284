package sascan.rules.tokens.legacy_token_lifecycle_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.legacy_token_lifecycle as rule

live := {"_mode": "cluster"}

tracking := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kube-apiserver-legacy-service-account-token-tracking", "namespace": "kube-system"}, "data": {"since": "2024-03-01"}}

got(objs) := {[f.object, f.severity, f.path] | some f in rule.findings with input as t.inv_with(objs, live)}

# TV-SA007-1 (= TV-SA001-4): invalidated auto-generated token.
test_invalidated if {
	s := object.union(t.token_secret("default", "build-robot-token-abcde", "build-robot"), {"metadata": {
		"labels": {"kubernetes.io/legacy-token-last-used": "2023-10-24", "kubernetes.io/legacy-token-invalid-since": "2025-11-02"},
		"annotations": {"kubernetes.io/service-account.uid": "1111-aaaa"},
	}})
	sa := object.union(t.sa("default", "build-robot"), {"metadata": {"uid": "1111-aaaa"}, "secrets": [{"name": "build-robot-token-abcde"}]})
	got([tracking, s, sa]) == {[1, "info", `metadata.labels["kubernetes.io/legacy-token-invalid-since"]`]}
	some f in rule.findings with input as t.inv_with([tracking, s, sa], live)
	f.evidence.deletionDue == "2026-11-03"
}

# TV-SA007-2: malformed last-used.
test_malformed_last_used if {
	s := object.union(t.token_secret("ops", "t", "ops-bot"), {"metadata": {"labels": {"kubernetes.io/legacy-token-last-used": "24-10-2025"}}})
	got([tracking, s]) == {[1, "low", `metadata.labels["kubernetes.io/legacy-token-last-used"]`]}
}

test_invalid_since_on_manual_token if {
	s := object.union(t.token_secret("ops", "t", "ops-bot"), {"metadata": {"labels": {"kubernetes.io/legacy-token-invalid-since": "2026-01-01"}}})
	got([tracking, s]) == {[1, "info", `metadata.labels["kubernetes.io/legacy-token-invalid-since"]`], [1, "low", `metadata.labels["kubernetes.io/legacy-token-invalid-since"]`]}
}

test_usage_not_tracked if {
	got([t.token_secret("ops", "t", "ops-bot")]) == {[0, "info", "metadata.name"]}
}
