package sascan.rules.expiration.max_token_expiration_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.expiration.max_token_expiration as rule

kubeadm := {"service-account-issuer": ["https://kubernetes.default.svc.cluster.local"]}

got(flags) := {[f.object, f.severity] | some f in rule.findings with input as t.apiserver(flags)}

# TV-SA025-1
test_unset_is_medium if {
	got(kubeadm) == {[0, "medium"]}
}

# TV-SA025-2
test_48h_is_low if {
	got(object.union(kubeadm, {"service-account-max-token-expiration": ["48h"]})) == {[0, "low"]}
}

# TV-SA025-3
test_24h_is_fine if {
	got(object.union(kubeadm, {"service-account-max-token-expiration": ["24h"]})) == set()
	got(object.union(kubeadm, {"service-account-max-token-expiration": ["86400s"]})) == set()
}

# TV-SA024-3: 1h is no finding here.
test_one_hour_is_fine if {
	got(object.union(kubeadm, {"service-account-max-token-expiration": ["1h"]})) == set()
}

test_zero_means_no_cap if {
	got(object.union(kubeadm, {"service-account-max-token-expiration": ["0s"]})) == {[0, "medium"]}
}

test_bare_integer_is_not_a_duration if {
	got(object.union(kubeadm, {"service-account-max-token-expiration": ["3600"]})) == {[0, "info"]}
}

test_external_signer_unset_is_info if {
	got(object.union(kubeadm, {"service-account-signing-endpoint": ["/run/signer.sock"]})) == {[0, "info"]}
}
