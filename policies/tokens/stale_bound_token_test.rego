package sascan.rules.tokens.stale_bound_token_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.stale_bound_token as rule

claims(pod) := {"username": "system:serviceaccount:web:app", "extra": {
	"authentication.kubernetes.io/pod-name": [pod],
	"authentication.kubernetes.io/pod-uid": ["u-1"],
	"authentication.kubernetes.io/node-name": ["n-1"],
}}

stale(pod, at) := object.union(t.sa_event("web", "app", at), {
	"user": claims(pod),
	"annotations": {"authentication.k8s.io/stale-token": "subject: system:serviceaccount:web:app, seconds after warning threshold: 5"},
})

fresh(pod, at) := object.union(t.sa_event("web", "app", at), {"user": claims(pod)})

objs := [t.sa("web", "app"), t.pod("web", "app-1", {"serviceAccountName": "app", "containers": [t.container("c")]})]

got(events) := {[f.object, f.evidence.requests, f.evidence.claims] | some f in rule.findings with input as t.inv_with(objs, {"_audit": array.concat(t.window, events)})}

test_on_the_pod if {
	got([stale("app-1", "2026-06-30T02:00:00Z"), stale("app-1", "2026-06-30T03:00:00Z"), fresh("app-1", "2026-06-30T04:00:00Z")]) == {[1, 2, {"pod": "app-1", "podUID": "u-1", "node": "n-1"}]}
}

# The pod is gone from the scan: on the ServiceAccount.
test_on_the_account if {
	got([stale("app-0", "2026-06-30T02:00:00Z")]) == {[0, 1, {}]}
}

test_fresh_tokens_only if {
	got([fresh("app-1", "2026-06-30T02:00:00Z")]) == set()
}

# A pod of the same name with another UID is not the token's pod: the
# finding goes to the ServiceAccount, not to the healthy pod.
test_another_pod_of_the_name if {
	replaced := [t.sa("web", "app"), json.patch(t.pod("web", "app-1", {"serviceAccountName": "app", "containers": [t.container("c")]}), [{"op": "add", "path": "/metadata/uid", "value": "u-2"}])]
	fs := rule.findings with input as t.inv_with(replaced, {"_audit": array.concat(t.window, [stale("app-1", "2026-06-30T02:00:00Z")])})
	{f.object | some f in fs} == {0}
}
