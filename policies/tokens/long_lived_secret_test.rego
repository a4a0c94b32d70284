package sascan.rules.tokens.long_lived_secret_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.long_lived_secret as rule

got(objs) := {[f.object, f.severity, f.path] | some f in rule.findings with input as t.inv(objs)}

# TV-SA001-1: manual long-lived token.
test_manual_token_is_high if {
	got([t.token_secret("ci", "deployer-token", "deployer")]) == {[0, "high", "type"]}
	some f in rule.findings with input as t.inv([t.token_secret("ci", "deployer-token", "deployer")])
	f.evidence.classification == "manual"
}

# TV-SA001-2: the ServiceAccount is bound to cluster-admin: critical.
test_token_of_cluster_admin_sa_is_critical if {
	objs := array.concat(t.builtins, [
		t.token_secret("ci", "deployer-token", "deployer"),
		t.sa("ci", "deployer"),
		t.cluster_role_binding("deployer-admin", "cluster-admin", [{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]),
	])
	got(objs) == {[5, "critical", "type"]}
}

# TV-SA001-3: an Opaque Secret is not a token Secret.
test_opaque_secret_is_not_reported if {
	got([{"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "app", "namespace": "ci"}, "stringData": {"password": "hunter2"}}]) == set()
}

# TV-SA001-4: invalidated tokens belong to SA007.
test_invalidated_token_is_not_reported if {
	s := object.union(t.token_secret("default", "build-robot-token-abcde", "build-robot"), {"metadata": {"labels": {"kubernetes.io/legacy-token-invalid-since": "2025-11-02"}}})
	got([s]) == set()
}

# bi-directional reference makes a token auto-generated.
test_bidirectional_reference_is_auto_generated if {
	objs := [
		t.token_secret("ci", "bot-token-abcde", "bot"),
		object.union(t.sa("ci", "bot"), {"secrets": [{"name": "bot-token-abcde"}]}),
	]
	{f.evidence.classification | some f in rule.findings with input as t.inv(objs)} == {"auto-generated"}
}

test_uid_mismatch_is_manual if {
	objs := [
		object.union(t.token_secret("ci", "bot-token-abcde", "bot"), {"metadata": {"annotations": {"kubernetes.io/service-account.uid": "OLD"}}}),
		object.union(t.sa("ci", "bot"), {"secrets": [{"name": "bot-token-abcde"}], "metadata": {"uid": "NEW"}}),
	]
	{f.evidence.classification | some f in rule.findings with input as t.inv(objs)} == {"manual"}
}

test_placeholder_token_key_in_evidence if {
	s := object.union(t.token_secret("ci", "t", "deployer"), {"stringData": {"token": "REPLACE_ME"}})
	{[f.severity, f.evidence.placeholderTokenKey] | some f in rule.findings with input as t.inv([s])} == {["high", true]}
}
