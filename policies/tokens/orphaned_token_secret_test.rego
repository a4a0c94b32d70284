package sascan.rules.tokens.orphaned_token_secret_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.orphaned_token_secret as rule

got(objs, params) := {[f.object, f.severity, f.evidence.problem] | some f in rule.findings with input as t.inv_with(objs, params)}

# TV-SA008-1
test_missing_sa_in_manifests if {
	got([t.token_secret("ci", "ghost-token", "ghost")], {}) == {[0, "low", "missing"]}
}

# TV-SA008-2: default always exists.
test_default_sa if {
	got([t.token_secret("ci", "d-token", "default")], {}) == set()
}

test_present_sa if {
	got([t.token_secret("ci", "t", "bot"), t.sa("ci", "bot")], {}) == set()
}

test_uid_in_manifest_is_exported if {
	s := object.union(t.token_secret("ci", "t", "bot"), {"metadata": {"annotations": {"kubernetes.io/service-account.uid": "abc"}}})
	got([s, t.sa("ci", "bot")], {}) == {[0, "low", "exported"]}
}

# TV-SA008-3 (live, lookup=false): UID mismatch is high.
test_live_uid_mismatch_with_lookup_disabled if {
	s := object.union(t.token_secret("ci", "t", "bot"), {"metadata": {"annotations": {"kubernetes.io/service-account.uid": "OLD"}}})
	sa := object.union(t.sa("ci", "bot"), {"metadata": {"uid": "NEW"}})
	inp := object.union(t.inv_with([s, sa], {"_mode": "cluster"}), {"controlPlanes": [{"object": 1, "component": "kube-apiserver", "path": "", "flags": {"service-account-lookup": [{"value": "false", "bare": false, "path": ""}]}}]})
	{[f.object, f.severity, f.evidence.problem] | some f in rule.findings with input as inp} == {[0, "high", "uid-mismatch"]}
	{[f.object, f.severity, f.evidence.problem] | some f in rule.findings with input as t.inv_with([s, sa], {"_mode": "cluster"})} == {[0, "medium", "uid-mismatch"]}
}
