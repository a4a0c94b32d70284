package sascan.rules.tokens.bound_token_outlived_pod_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.bound_token_outlived_pod as rule

# A request of web/api with the token of pod name (UID uid).
use(name, uid, at) := object.union(t.sa_event("web", "api", at), {
	"user": {"username": "system:serviceaccount:web:api", "extra": {
		"authentication.kubernetes.io/pod-name": [name],
		"authentication.kubernetes.io/pod-uid": [uid],
		"authentication.kubernetes.io/node-name": ["n-1"],
	}},
	"sourceIPs": ["10.9.9.9"],
	"userAgent": "curl/8.5",
})

# Pod api-0 as a live scan returns it: the pod that holds the name now.
live_pod(uid, created) := object.union(
	t.pod("web", "api-0", {"serviceAccountName": "api", "containers": [t.container("api")]}),
	{"metadata": {"uid": uid, "creationTimestamp": created}},
)

got(objs, events) := {[f.object, f.confidence, f.evidence.claims.podUID, f.evidence.requests, f.evidence.lastUse, f.evidence.podGone] |
	some f in rule.findings with input as t.inv_with(objs, {"_audit": array.concat(t.window, events)})
}

# The old pod's token is used two hours after the pod that holds the name
# now was created: on that pod (object 1), certain.
test_replaced_pod_in_the_scan if {
	got([t.sa("web", "api"), live_pod("u-2", "2026-06-30T06:00:00Z")], [
		use("api-0", "u-1", "2026-06-30T02:00:00Z"),
		use("api-0", "u-1", "2026-06-30T08:00:00Z"),
		use("api-0", "u-2", "2026-06-30T07:00:00Z"),
	]) == {[1, "certain", "u-1", 2, "2026-06-30T08:00:00Z", {"since": "2026-06-30T06:00:00Z", "uid": "u-2", "source": "scan"}]}
}

# Churn: the old pod's token was last used before its successor was
# created.
test_used_before_the_replacement if {
	got([t.sa("web", "api"), live_pod("u-2", "2026-06-30T06:00:00Z")], [
		use("api-0", "u-1", "2026-06-30T02:00:00Z"),
		use("api-0", "u-1", "2026-06-30T05:59:00Z"),
	]) == set()
}

# Within a minute of the replacement: the API server's own token cache.
test_within_the_margin if {
	got([t.sa("web", "api"), live_pod("u-2", "2026-06-30T06:00:00Z")], [use("api-0", "u-1", "2026-06-30T06:00:59Z")]) == set()
}

test_past_the_margin if {
	got([t.sa("web", "api"), live_pod("u-2", "2026-06-30T06:00:00Z")], [use("api-0", "u-1", "2026-06-30T06:01:01Z")]) == {[1, "certain", "u-1", 1, "2026-06-30T06:01:01Z", {"since": "2026-06-30T06:00:00Z", "uid": "u-2", "source": "scan"}]}
}

# The token of the pod in the scan: nothing.
test_same_pod if {
	got([t.sa("web", "api"), live_pod("u-1", "2026-06-30T01:00:00Z")], [use("api-0", "u-1", "2026-06-30T08:00:00Z")]) == set()
}

# The pod is not in the scan and nothing else held its name: most likely
# deleted after its last request; no verdict from an absence.
test_absent_pod if {
	got([t.sa("web", "api")], [use("api-0", "u-1", "2026-06-30T08:00:00Z")]) == set()
}

# The log alone: the token of u-1 (first used at 02:00) is still used at
# 08:00, after u-2's token was first used at 04:00. On the ServiceAccount
# (object 0; the scan holds no pod api-0), likely; u-2 is not reported.
test_replaced_pod_in_the_log if {
	got([t.sa("web", "api")], [
		use("api-0", "u-1", "2026-06-30T02:00:00Z"),
		use("api-0", "u-2", "2026-06-30T04:00:00Z"),
		use("api-0", "u-1", "2026-06-30T08:00:00Z"),
	]) == {[0, "likely", "u-1", 2, "2026-06-30T08:00:00Z", {"since": "2026-06-30T04:00:00Z", "uid": "u-2", "source": "audit log"}]}
}

# The earliest proof wins: the log's u-3 (03:00) before the scan's u-2 (06:00).
test_earliest_proof if {
	got([t.sa("web", "api"), live_pod("u-2", "2026-06-30T06:00:00Z")], [
		use("api-0", "u-1", "2026-06-30T02:00:00Z"),
		use("api-0", "u-3", "2026-06-30T03:00:00Z"),
		use("api-0", "u-1", "2026-06-30T08:00:00Z"),
	]) == {[1, "likely", "u-1", 2, "2026-06-30T08:00:00Z", {"since": "2026-06-30T03:00:00Z", "uid": "u-3", "source": "audit log"}]}
}

# Tokens without a pod claim (bound to a Secret or a Node) are not judged.
test_no_pod_claim if {
	got([t.sa("web", "api"), live_pod("u-2", "2026-06-30T06:00:00Z")], [object.union(t.sa_event("web", "api", "2026-06-30T08:00:00Z"), {"user": {"extra": {"authentication.kubernetes.io/node-name": ["n-1"]}}})]) == set()
}

# Evidence: the clients, the window, the claims; the message names both pods.
test_evidence_and_message if {
	fs := rule.findings with input as t.inv_with([t.sa("web", "api"), live_pod("u-2", "2026-06-30T06:00:00Z")], {"_audit": array.concat(t.window, [use("api-0", "u-1", "2026-06-30T08:00:00Z")])})
	{[f.message, f.evidence] | some f in fs} == {[
		"Pod web/api-0: a bound token of ServiceAccount web/api issued for an earlier pod of this name (UID u-1) authenticated 1 requests, the last at 2026-06-30T08:00:00Z, after that pod was gone (pod UID u-2 held the name from 2026-06-30T06:00:00Z, by the scan): the token outlived its pod and is being replayed",
		{
			"serviceAccount": "web/api", "requests": 1, "firstUse": "2026-06-30T08:00:00Z", "lastUse": "2026-06-30T08:00:00Z",
			"sourceIPs": ["10.9.9.9"], "userAgents": ["curl/8.5"], "moreSourceIPs": 0, "moreUserAgents": 0,
			"claims": {"pod": "api-0", "podUID": "u-1", "node": "n-1"},
			"podGone": {"since": "2026-06-30T06:00:00Z", "uid": "u-2", "source": "scan"},
			"auditWindow": {"first": "2026-06-30T00:00:00Z", "last": "2026-06-30T12:00:00Z"},
		},
	]}
}

# A request with the token of pod ns/name (UID uid) by ServiceAccount
# ns/sa.
use_in(ns, sa, name, uid, at) := object.union(t.sa_event(ns, sa, at), {
	"user": {"username": sprintf("system:serviceaccount:%s:%s", [ns, sa]), "extra": {
		"authentication.kubernetes.io/pod-name": [name],
		"authentication.kubernetes.io/pod-uid": [uid],
	}},
})

# A later pod of the name proves the earlier gone whichever account of the
# namespace it ran as; a pod of that name in another namespace proves
# nothing.
test_log_proofs_by_namespace if {
	events := [use("api-0", "u-1", "2026-06-30T02:00:00Z"), use("api-0", "u-1", "2026-06-30T08:00:00Z")]
	got([t.sa("web", "api")], array.concat(events, [use_in("web", "worker", "api-0", "u-2", "2026-06-30T04:00:00Z")])) == {[0, "likely", "u-1", 2, "2026-06-30T08:00:00Z", {"since": "2026-06-30T04:00:00Z", "uid": "u-2", "source": "audit log"}]}
	got([t.sa("web", "api")], array.concat(events, [use_in("batch", "api", "api-0", "u-2", "2026-06-30T04:00:00Z")])) == set()
}
