package sascan.rules.automount.silent_token_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.automount.silent_token as rule

objs := [
	t.sa("web", "app"),
	t.sa("web", "api"),
	t.deployment("web", "quiet", {"serviceAccountName": "app", "containers": [t.container("c")]}),
	t.deployment("web", "caller", {"serviceAccountName": "api", "containers": [t.container("c")]}),
	t.deployment("web", "off", {"serviceAccountName": "app", "automountServiceAccountToken": false, "containers": [t.container("c")]}),
]

got(events) := {[f.object, f.path] | some f in rule.findings with input as t.inv_with(objs, {"_audit": array.concat(t.window, events)})}

test_account_without_requests if {
	got([t.sa_event("web", "api", "2026-06-30T01:00:00Z")]) == {[2, "spec.template.spec"]}
}

# A denied request is still a use of the token.
test_denied_request_counts if {
	denied := object.union(t.sa_event("web", "app", "2026-06-30T01:00:00Z"), {"annotations": {"authorization.k8s.io/decision": "forbid"}})
	got([denied]) == {[3, "spec.template.spec"]}
}

test_without_log_nothing if {
	count(rule.findings) == 0 with input as t.inv(objs)
}

# A live pod created after the window's last event is not judged; one
# created inside it is, from its creation on.
pod(name, at) := json.patch(t.pod("web", name, {"serviceAccountName": "app", "containers": [t.container("c")]}), [{"op": "add", "path": "/metadata/creationTimestamp", "value": at}])

test_window_since_creation if {
	fs := rule.findings with input as t.inv_with([t.sa("web", "app"), pod("late", "2026-06-30T13:00:00Z"), pod("mid", "2026-06-30T06:00:00Z")], {"_audit": t.window})
	[[f.object, f.evidence.auditWindow] | some f in fs] == [[2, {"first": "2026-06-30T06:00:00Z", "last": "2026-06-30T12:00:00Z"}]]
}

# A projected token for another audience (Vault) is presented elsewhere:
# the API server's log says nothing of its use. One for the API is judged.
projected(name, audience) := t.deployment("web", name, {
	"serviceAccountName": "app", "automountServiceAccountToken": false,
	"containers": [object.union(t.container("c"), {"volumeMounts": [{"name": "tok", "mountPath": "/t"}]})],
	"volumes": [{"name": "tok", "projected": {"sources": [{"serviceAccountToken": {"path": "token", "audience": audience}}]}}],
})

test_other_audience_is_not_judged if {
	objs2 := [t.sa("web", "app"), projected("vault", "vault"), projected("api", "https://kubernetes.default.svc")]
	{f.object | some f in rule.findings with input as t.inv_with(objs2, {"_audit": t.window})} == {2}
}
