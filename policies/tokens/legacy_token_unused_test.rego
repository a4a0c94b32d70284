package sascan.rules.tokens.legacy_token_unused_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.legacy_token_unused as rule

objs := [t.sa("ci", "deployer"), t.token_secret("ci", "used", "deployer"), t.token_secret("ci", "spare", "deployer")]

got(events) := {[f.object, f.evidence.basis] | some f in rule.findings with input as t.inv_with(objs, {"_audit": array.concat(t.window, events)})}

# The log names the Secret of each legacy-token use: the other is unused.
test_unnamed_secret_is_unused if {
	got([t.legacy_event("ci", "deployer", "used", "2026-06-30T06:00:00Z")]) == {[2, "the log names the Secret of every legacy-token request, and not this one"]}
}

# An older API server annotates legacy-token use without the Secret: both
# are unused only when the account made no such request.
test_account_without_legacy_requests if {
	plain := object.union(t.sa_event("ci", "deployer", "2026-06-30T06:00:00Z"), {})
	legacy := json.remove(t.legacy_event("ci", "other", "x", "2026-06-30T06:00:00Z"), ["annotations/authentication.k8s.io~1legacy-token-manual-secret"])
	got([plain, legacy]) == {[1, "the account made no request with a legacy token"], [2, "the account made no request with a legacy token"]}
	legacy_own := json.remove(t.legacy_event("ci", "deployer", "x", "2026-06-30T06:00:00Z"), ["annotations/authentication.k8s.io~1legacy-token-manual-secret"])
	got([legacy_own]) == set()
}

# A log without any legacy-token annotation: only an account that made no
# request at all proves its Secrets unused.
test_log_without_annotations if {
	got([]) == {[1, "the account made no request"], [2, "the account made no request"]}
	got([t.sa_event("ci", "deployer", "2026-06-30T06:00:00Z")]) == set()
}

# Without --audit-log nothing is concluded; a Secret created after the
# window, or invalidated, is not judged.
test_needs_the_log_and_the_window if {
	count(rule.findings) == 0 with input as t.inv(objs)
	late := json.patch(t.token_secret("ci", "late", "deployer"), [{"op": "add", "path": "/metadata/creationTimestamp", "value": "2026-06-30T13:00:00Z"}])
	invalid := json.patch(t.token_secret("ci", "old", "deployer"), [{"op": "add", "path": "/metadata/labels", "value": {"kubernetes.io/legacy-token-invalid-since": "2026-01-01"}}])

	# the control: an unused Secret of the same account is judged
	fs := rule.findings with input as t.inv_with([t.sa("ci", "deployer"), late, invalid, t.token_secret("ci", "spare", "deployer")], {"_audit": t.window})
	{f.object | some f in fs} == {3}
}

test_message_states_the_window if {
	fs := rule.findings with input as t.inv_with(objs, {"_audit": array.concat(t.window, [t.legacy_event("ci", "deployer", "used", "2026-06-30T06:00:00Z")])})
	[f.message | some f in fs] == ["Secret ci/spare holds a legacy token of ServiceAccount deployer that no request used from 2026-06-30T00:00:00Z to 2026-06-30T12:00:00Z: delete it"]
}

# The Secret's own last-used label on or after the window's first day
# proves a use the log did not show: no finding. An earlier day does not.
labelled(day) := [t.sa("ci", "deployer"), json.patch(t.token_secret("ci", "spare", "deployer"), [{"op": "add", "path": "/metadata/labels", "value": {"kubernetes.io/legacy-token-last-used": day}}])]

unused_with_label(day) := {f.object | some f in fs} if {
	fs := rule.findings with input as t.inv_with(labelled(day), {"_audit": t.window})
}

test_last_used_label_inside_the_window if {
	unused_with_label("2026-06-30") == set()
	unused_with_label("2026-07-01") == set()
	unused_with_label("2026-06-29") == {1}
}
