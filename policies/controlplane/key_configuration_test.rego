package sascan.rules.controlplane.key_configuration_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.controlplane.key_configuration as rule

got(inp) := {[f.severity, f.evidence.subCheck] | some f in rule.findings with input as inp}

kubeadm := {
	"service-account-issuer": ["https://kubernetes.default.svc.cluster.local"],
	"service-account-key-file": ["/etc/kubernetes/pki/sa.pub"],
	"service-account-signing-key-file": ["/etc/kubernetes/pki/sa.key"],
}

test_kubeadm_apiserver_is_clean if {
	got(t.apiserver(kubeadm)) == set()
}

# TV-SA028-1
test_apiserver_without_key_file if {
	got(t.apiserver({"service-account-issuer": ["https://kubernetes.default.svc"], "service-account-signing-key-file": ["/sa.key"], "tls-private-key-file": ["/apiserver.key"]})) == {["medium", "a"]}
}

# TV-SA028-2
test_controller_manager_with_key if {
	got(t.controller_manager({"use-service-account-credentials": ["true"], "service-account-private-key-file": ["/sa.key"]})) == set()
	got(t.controller_manager({"use-service-account-credentials": ["true"]})) == {["medium", "b"]}
}

# TV-SA028-3
test_two_verification_keys if {
	got(t.apiserver(object.union(kubeadm, {"service-account-key-file": ["/sa.pub", "/sa-old.pub"]}))) == {["info", "d"]}
}

test_signing_endpoint_with_key_files if {
	got(t.apiserver(object.union(kubeadm, {"service-account-signing-endpoint": ["/run/signer.sock"]}))) == {["info", "c"]}
	got(t.apiserver({"service-account-issuer": ["https://x"], "service-account-signing-endpoint": ["/run/signer.sock"]})) == set()
}

test_issuer_not_https if {
	got(t.apiserver(object.union(kubeadm, {"service-account-issuer": ["spiffe://cluster.local"]}))) == {["info", "e"]}
}
