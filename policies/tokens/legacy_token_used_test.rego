package sascan.rules.tokens.legacy_token_used_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.legacy_token_used as rule

objs := [t.sa("ci", "deployer"), t.token_secret("ci", "used", "deployer"), t.token_secret("ci", "spare", "deployer")]

test_used_secret_names_its_clients if {
	second := object.union(t.legacy_event("ci", "deployer", "used", "2026-06-30T07:00:00Z"), {"sourceIPs": ["192.0.2.7"], "userAgent": "jenkins/2.4"})
	events := array.concat(t.window, [t.legacy_event("ci", "deployer", "used", "2026-06-30T06:00:00Z"), second])
	fs := rule.findings with input as t.inv_with(objs, {"_audit": events})
	{[f.object, f.path, f.evidence.requests, f.evidence.lastUse] | some f in fs} == {[1, "type", 2, "2026-06-30T07:00:00Z"]}
	[[f.evidence.sourceIPs, f.evidence.userAgents] | some f in fs] == [[["10.0.0.1", "192.0.2.7"], ["client/1.0", "jenkins/2.4"]]]
	[f.message | some f in fs] == ["Secret ci/used: its legacy token of ServiceAccount deployer authenticated 2 requests from 2026-06-30T00:00:00Z to 2026-06-30T12:00:00Z, last at 2026-06-30T07:00:00Z from 10.0.0.1, 192.0.2.7: move those clients to bound tokens"]
}

# A refused request with an invalidated token ("name/namespace").
test_invalidated_token_presented if {
	refused := {
		"kind": "Event", "apiVersion": "audit.k8s.io/v1", "stage": "ResponseComplete", "verb": "get", "requestURI": "/api",
		"user": {}, "sourceIPs": ["198.51.100.3"], "responseStatus": {"code": 401}, "requestReceivedTimestamp": "2026-06-30T08:00:00Z",
		"annotations": {"authentication.k8s.io/legacy-token-invalidated": "spare/ci"},
	}
	fs := rule.findings with input as t.inv_with(objs, {"_audit": array.concat(t.window, [refused])})
	{[f.object, f.severity, f.evidence.sourceIPs] | some f in fs} == {[2, "low", ["198.51.100.3"]]}
}

test_no_use_no_finding if {
	count(rule.findings) == 0 with input as t.inv_with(objs, {"_audit": t.window})
}
