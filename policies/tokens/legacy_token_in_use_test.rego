package sascan.rules.tokens.legacy_token_in_use_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.legacy_token_in_use as rule

live := {"_mode": "cluster"}

used(name, date, extra) := object.union(t.token_secret("default", name, "build-robot"), object.union({"metadata": {"labels": {"kubernetes.io/legacy-token-last-used": date}}}, extra))

got(objs) := {[f.object, f.severity] | some f in rule.findings with input as t.inv_with(objs, live)}

# TV-SA005-1: auto-generated (bi-directional reference, UIDs agree).
test_auto_generated_in_use_is_high if {
	s := used("build-robot-token-abcde", "2026-06-28", {"metadata": {"annotations": {"kubernetes.io/service-account.uid": "u1"}}})
	sa := object.union(t.sa("default", "build-robot"), {"metadata": {"uid": "u1"}, "secrets": [{"name": "build-robot-token-abcde"}]})
	got([s, sa]) == {[0, "high"]}
}

# TV-SA005-2: manual, used 3 days ago.
test_manual_in_use_is_medium if {
	got([used("ext-token", "2026-06-28", {})]) == {[0, "medium"]}
}

# TV-SA005-3: last used long ago (SA006's).
test_old_use_is_not_active if {
	got([used("ext-token", "2025-01-10", {})]) == set()
}

test_manifest_mode_is_silent if {
	count(rule.findings) == 0 with input as t.inv([used("ext-token", "2026-06-28", {})])
}

test_lookup_disabled_is_info if {
	inp := object.union(t.inv_with([used("ext-token", "2026-06-28", {})], live), {"controlPlanes": [{"object": 0, "component": "kube-apiserver", "path": "", "flags": {"service-account-lookup": [{"value": "false", "bare": false, "path": ""}]}}]})
	{f.severity | some f in rule.findings with input as inp} == {"info"}
}
