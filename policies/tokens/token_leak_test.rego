package sascan.rules.tokens.token_leak_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.token_leak as rule

got(objs) := {[f.object, f.severity, f.path] | some f in rule.findings with input as t.inv(objs)}

kubeconfig(user) := sprintf(
	`apiVersion: v1
kind: Config
clusters: [{name: b, cluster: {server: "https://b.example:6443"}}]
users: [{name: sa, user: %s}]
contexts: [{name: b, context: {cluster: b, user: sa}}]
current-context: b
`,
	[json.marshal(user)],
)

# TV-SA003-1
test_kubeconfig_in_opaque_secret if {
	s := {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "cluster-b-kubeconfig", "namespace": "argocd"}, "stringData": {"config": kubeconfig({"token": t.legacy_jwt})}}
	got([s]) == {[0, "critical", "stringData.config:users[0].user.token"]}
	some f in rule.findings with input as t.inv([s])
	f.evidence.sub == "system:serviceaccount:ci:deployer"
	not contains(json.marshal(f), "eyJhbGci")
}

# TV-SA003-2: an expired bound token (now = 2026-07-01) in env.
test_expired_bound_token_in_env if {
	d := t.deployment("tools", "poller", {"automountServiceAccountToken": false, "containers": [{"name": "p", "image": "busybox", "env": [{"name": "KUBE_TOKEN", "value": t.bound_jwt}]}]})
	got([d]) == {[0, "low", "spec.template.spec.containers[0].env[0].value"]}
	some f in rule.findings with input as t.inv([d])
	f.evidence.extended == true
	f.evidence.expired == true
}

test_bound_token_not_yet_expired_is_high if {
	d := t.pod("tools", "p", {"containers": [{"name": "p", "image": "x", "args": ["--token", t.bound_jwt]}]})
	{[f.severity, f.path] | some f in rule.findings with input as t.inv_with([d], {"now_ns": 1740000000000000000})} == {["high", "spec.containers[0].args[1]"]}
}

# TV-SA003-3: tokenFile is a path, not a token.
test_token_file_is_not_a_leak if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kc", "namespace": "tools"}, "data": {"kubeconfig": kubeconfig({"tokenFile": "/var/run/secrets/kubernetes.io/serviceaccount/token"})}}
	got([cm]) == set()
}

# TV-SA003-4: double base64 in binaryData.
test_double_base64_in_binary_data if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "blob", "namespace": "tools"}, "binaryData": {"t": base64.encode(base64.encode(t.legacy_jwt))}}
	got([cm]) == {[0, "critical", "binaryData.t"]}
}

test_json_blob if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j", "namespace": "tools"}, "data": {"creds.json": json.marshal({"bearerToken": t.legacy_jwt, "server": "x"})}}
	got([cm]) == {[0, "critical", `data["creds.json"]:bearerToken`]}
}

test_last_applied_annotation if {
	applied := json.marshal({"kind": "ConfigMap", "data": {"t": t.legacy_jwt}})
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "tools", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": applied}}}
	got([cm]) == {[0, "critical", `metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]`]}
}

# A Secret's last-applied annotation keeps its data base64-encoded.
test_last_applied_secret_data_is_decoded if {
	applied := json.marshal({"kind": "Secret", "type": "Opaque", "data": {"t": base64.encode(t.legacy_jwt), "p": base64.encode("hunter2")}})
	s := {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "a", "namespace": "ci", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": applied}}}
	got([s]) == {[0, "critical", `metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]`]}
}

test_last_applied_that_is_not_json if {
	s := {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "a", "namespace": "ci", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{not json"}}}
	got([s]) == set()
}

# The token key of a token Secret is SA002's.
test_token_secret_token_key_is_excluded if {
	s := object.union(t.token_secret("ci", "x", "deployer"), {"stringData": {"token": t.legacy_jwt}})
	got([s]) == set()
}

# A JWT from another issuer is not a ServiceAccount token.
test_other_jwt_is_not_reported if {
	other := concat(".", [base64url.encode_no_pad(`{"alg":"RS256"}`), base64url.encode_no_pad(`{"iss":"https://accounts.example.com","sub":"user-1","exp":1900000000}`), "c2lnbmF0dXJlLWJ5dGVz"])
	got([t.pod("x", "p", {"containers": [{"name": "c", "image": "x", "env": [{"name": "T", "value": other}]}]})]) == set()
}

# TV-SA001-3
test_harmless_secret if {
	got([{"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "app", "namespace": "ci"}, "stringData": {"password": "hunter2"}}]) == set()
}

# The rule reads only the objects the input's tokenCandidates index names
# (the inventory's prefilter), and of pod specs only those its
# tokenCandidateSpecs names: the same token is found when its object is
# listed there and not when it is left out.
test_token_candidates_index_is_honoured if {
	s := {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "k", "namespace": "argocd"}, "stringData": {"config": kubeconfig({"token": t.legacy_jwt})}}
	d := t.deployment("tools", "poller", {"containers": [{"name": "p", "image": "busybox", "env": [{"name": "T", "value": t.bound_jwt}]}]})
	inp := t.inv([s, d])
	inp.tokenCandidates == [0, 1]
	inp.tokenCandidateSpecs == [0]
	{f.object | some f in rule.findings with input as inp} == {0, 1}
	{f.object | some f in rule.findings with input as object.union(inp, {"tokenCandidates": [1]})} == {1}
	{f.object | some f in rule.findings with input as object.union(inp, {"tokenCandidates": [0], "tokenCandidateSpecs": []})} == {0}
	{f.object | some f in rule.findings with input as object.union(inp, {"tokenCandidates": [], "tokenCandidateSpecs": []})} == set()
}
