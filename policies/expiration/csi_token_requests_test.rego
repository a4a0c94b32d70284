package sascan.rules.expiration.csi_token_requests_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.expiration.csi_token_requests as rule

driver(reqs) := {"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver", "metadata": {"name": "example.csi.k8s.io"}, "spec": {"tokenRequests": reqs, "requiresRepublish": true}}

got(reqs) := {[f.object, f.severity, f.path] | some f in rule.findings with input as t.inv([driver(reqs)])}

# TV-SA026-1
test_two_days_and_empty_audience if {
	got([{"audience": "", "expirationSeconds": 172800}]) == {[0, "medium", "spec.tokenRequests[0]"]}
}

# TV-SA026-2
test_audience_and_one_hour if {
	got([{"audience": "vault", "expirationSeconds": 3600}]) == set()
}

test_empty_audience_default_ttl if {
	got([{"audience": "vault"}, {}]) == {[0, "low", "spec.tokenRequests[1]"]}
}
