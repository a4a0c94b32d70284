package sascan.rules.tokens.token_in_manifest_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.token_in_manifest as rule

legacy_b64 := base64.encode(t.legacy_jwt)

# TV-SA002-1: exported legacy token in data.token.
test_committed_legacy_token_is_critical if {
	s := object.union(t.token_secret("ci", "deployer-token", "deployer"), {
		"metadata": {"annotations": {"kubernetes.io/service-account.uid": "3f1c2a9e-0000-4000-8000-000000000001"}},
		"data": {"namespace": "Y2k=", "token": legacy_b64},
	})
	fs := rule.findings with input as t.inv([s])
	{[f.object, f.path] | some f in fs} == {[0, "data.token"]}
	every f in fs {
		f.evidence.class == "LEGACY"
		f.evidence.sub == "system:serviceaccount:ci:deployer"
		f.evidence.hasExp == false
		f.evidence.exportedFromCluster == true
	}
}

test_evidence_never_holds_the_token if {
	s := object.union(t.token_secret("ci", "x", "deployer"), {"stringData": {"token": t.legacy_jwt}})
	fs := rule.findings with input as t.inv([s])
	count(fs) == 1
	every f in fs {
		not contains(json.marshal(f), "bm90LWEtcmVhbC1zaWduYXR1cmU")
		not contains(json.marshal(f), "eyJ")
	}
}

# TV-SA002-2: placeholder value is not token material.
test_placeholder_is_not_reported if {
	s := object.union(t.token_secret("ci", "t", "deployer"), {"stringData": {"token": "REPLACE_ME"}})
	count(rule.findings) == 0 with input as t.inv([s])
}

# TV-SA002-3: a token key on an Opaque Secret is not this rule.
test_opaque_secret_is_not_reported if {
	s := {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "t", "namespace": "ci"}, "stringData": {"token": t.legacy_jwt}}
	count(rule.findings) == 0 with input as t.inv([s])
}

test_sops_encrypted_value_is_not_reported if {
	s := object.union(t.token_secret("ci", "t", "deployer"), {"stringData": {"token": "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]"}})
	count(rule.findings) == 0 with input as t.inv([s])
}

# Live: data.token is always there; only the applied configuration counts.
test_live_reads_last_applied_configuration_only if {
	applied := json.marshal({"apiVersion": "v1", "kind": "Secret", "stringData": {"token": t.legacy_jwt}})
	s := object.union(t.token_secret("ci", "t", "deployer"), {
		"data": {"token": legacy_b64},
		"metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": applied}},
	})
	{f.path | some f in rule.findings with input as t.inv_with([s], {"_mode": "cluster"})} == {`metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]`}
}

test_live_data_token_alone_is_not_reported if {
	s := object.union(t.token_secret("ci", "t", "deployer"), {"data": {"token": legacy_b64}})
	count(rule.findings) == 0 with input as t.inv_with([s], {"_mode": "cluster"})
}
