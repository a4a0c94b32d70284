package sascan.rules.expiration.extend_token_expiration_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.expiration.extend_token_expiration as rule

kubeadm := {
	"service-account-issuer": ["https://kubernetes.default.svc.cluster.local"],
	"service-account-key-file": ["/etc/kubernetes/pki/sa.pub"],
	"service-account-signing-key-file": ["/etc/kubernetes/pki/sa.key"],
}

got(flags) := {[f.object, f.severity, f.path] | some f in rule.findings with input as t.apiserver(flags)}

# TV-SA024-1: default true.
test_flag_absent_is_medium if {
	got(kubeadm) == {[0, "medium", "spec.containers[0].command"]}
}

# TV-SA024-2
test_flag_false_is_not_reported if {
	got(object.union(kubeadm, {"service-account-extend-token-expiration": ["false"]})) == set()
}

# TV-SA024-3: max below 3607s neutralises the extension.
test_max_one_hour_neutralises if {
	got(object.union(kubeadm, {"service-account-max-token-expiration": ["1h"]})) == {[0, "info", "spec.containers[0].command"]}
}

test_max_above_trigger_does_not_neutralise if {
	got(object.union(kubeadm, {"service-account-max-token-expiration": ["2h"]})) == {[0, "medium", "spec.containers[0].command"]}
}

test_last_occurrence_wins if {
	got(object.union(kubeadm, {"service-account-extend-token-expiration": ["false", "true"]})) == {[0, "medium", "spec.containers[0].command[2]"]}
	got(object.union(kubeadm, {"service-account-extend-token-expiration": ["true", "False"]})) == set()
}

test_parse_bool_semantics if {
	got(object.union(kubeadm, {"service-account-extend-token-expiration": ["0"]})) == set()
	got(object.union(kubeadm, {"service-account-extend-token-expiration": ["T"]})) == {[0, "medium", "spec.containers[0].command[1]"]}
}
