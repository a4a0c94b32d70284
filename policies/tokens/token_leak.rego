# METADATA
# title: ServiceAccount JWT stored outside a token Secret
# description: |
#   A ServiceAccount token sits where it does not belong: an Opaque Secret, a
#   ConfigMap, an annotation (including kubectl's last-applied-configuration),
#   a container's env, args or command, or a kubeconfig or JSON blob inside
#   them. Values are base64-decoded up to two levels. Severity follows the
#   token: legacy (never expires) Critical; bound with more than a day left
#   High, with less Medium, expired Low; a ServiceAccount subject from an
#   unknown issuer High. Tokens of other issuers are not reported. The token
#   itself never appears in the report, only its claims.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-tokens
# - ref: https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token
# custom:
#   id: SA003
#   severity: critical
#   family: tokens
#   remediation: |
#     Remove the token. In-cluster consumers should mount a projected token; kubeconfigs should
#     use an exec credential plugin or a short-lived `kubectl create token` at use time. Revoke
#     the leaked credential: delete the backing token Secret of a legacy token; for a bound token
#     delete the pod, Secret or ServiceAccount it is bound to, or wait for it to expire.
#   example: |
#     # A kubeconfig that fetches a short-lived token at use time.
#     apiVersion: v1
#     kind: Secret
#     metadata: {name: cluster-b-kubeconfig, namespace: argocd}
#     type: Opaque
#     stringData:
#       config: |
#         apiVersion: v1
#         kind: Config
#         clusters: [{name: b, cluster: {server: "https://b.example:6443"}}]
#         users:
#           - name: deployer
#             user:
#               exec:
#                 apiVersion: client.authentication.k8s.io/v1
#                 command: kubectl
#                 args: [create, token, deployer, -n, ci, --duration=1h, --context=b-admin]
#                 interactiveMode: Never
#         contexts: [{name: b, context: {cluster: b, user: deployer}}]
#         current-context: b
#   modes: [manifest, cluster]
package sascan.rules.tokens.token_leak

import data.sascan.lib.jwt
import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.result

findings contains f if {
	some pair in {[m.object, m.path] | some m in matches}
	[obj_id, path] := pair
	hits := [m | some m in matches; m.object == obj_id; m.path == path]
	top := max({result.rank(m.severity) | some m in hits})
	hit := [m | some m in hits; result.rank(m.severity) == top][0]
	f := result.finding(input.objects[obj_id], path, sprintf("%s %s/%s holds a %s ServiceAccount token in %s", [hit.kind, hit.namespace, hit.name, lower(hit.evidence.class), path]), {
		"severity": hit.severity,
		"evidence": object.union(hit.evidence, {"found": hit.how, "tokens": count(hits)}),
	})
}

# Every ServiceAccount JWT found: {object, kind, namespace, name, path, how, severity, evidence}.
matches contains m if {
	some s in candidate_strings
	some t in tokens_in(s.value)
	tok := jwt.decode(t.token)
	cls := jwt.class(tok.payload)
	cls != "NOT_SA"
	o := input.objects[s.object]
	m := {
		"object": s.object, "kind": o.kind, "namespace": o.namespace, "name": o.name,
		"path": concat("", [s.path, t.suffix]), "how": t.how,
		"severity": severity(cls, tok.payload), "evidence": jwt.evidence(tok.payload),
	}
}

# Strings that may hold a token: {object id, field path, value}. Only those
# with "eyJ" (the start of every JWT) are kept, objects are named by id, and
# only the objects of the inventory's token-candidate index are read, so the
# set stays small and cheap to build however large the inventory is.
candidate_strings contains {"object": o.id, "path": field("data", k), "value": v} if {
	some o in k8s.token_candidates("Secret")
	some k, raw in object.get(o.object, "data", {})
	not token_key(o, k)
	some v in jwt.decoded_levels(raw)
	contains(v, "eyJ")
}

candidate_strings contains {"object": o.id, "path": field("stringData", k), "value": v} if {
	some o in k8s.token_candidates("Secret")
	some k, v in object.get(o.object, "stringData", {})
	_jwt_like(v)
	not token_key(o, k)
}

candidate_strings contains {"object": o.id, "path": field("data", k), "value": v} if {
	some o in k8s.token_candidates("ConfigMap")
	some k, v in object.get(o.object, "data", {})
	_jwt_like(v)
}

candidate_strings contains {"object": o.id, "path": field("binaryData", k), "value": v} if {
	some o in k8s.token_candidates("ConfigMap")
	some k, raw in object.get(o.object, "binaryData", {})
	some v in jwt.decoded_levels(raw)
	contains(v, "eyJ")
}

candidate_strings contains {"object": o.id, "path": sprintf("metadata.annotations[%q]", [k]), "value": v} if {
	some id in k8s.token_candidate_ids
	o := input.objects[id]
	some k, v in k8s.annotations(o)
	_jwt_like(v)
	not applied_token_of_token_secret(o, k)
}

# A Secret applied with kubectl keeps its data, base64-encoded, in the
# last-applied-configuration annotation: decode those values too.
candidate_strings contains {"object": o.id, "path": sprintf("metadata.annotations[%q]", [last_applied]), "value": v} if {
	some o in k8s.token_candidates("Secret")
	raw := k8s.annotations(o)[last_applied]
	not applied_token_of_token_secret(o, last_applied)
	is_string(raw)
	json.is_valid(raw)
	doc := json.unmarshal(raw)
	is_object(doc)
	some d in object.get(doc, "data", {})
	is_string(d)
	some v in jwt.decoded_levels(d)
	contains(v, "eyJ")
}

last_applied := "kubectl.kubernetes.io/last-applied-configuration"

candidate_strings contains {"object": ps.obj.id, "path": sprintf("%s.env[%d].value", [x.path, j]), "value": e.value} if {
	some ps in k8s.token_candidate_specs
	some x in k8s.all_containers(ps)
	some j, e in object.get(x.c, "env", [])
	_jwt_like(e.value)
}

candidate_strings contains {"object": ps.obj.id, "path": sprintf("%s.%s[%d]", [x.path, field_name, j]), "value": v} if {
	some ps in k8s.token_candidate_specs
	some x in k8s.all_containers(ps)
	some field_name in ["args", "command"]
	some j, v in object.get(x.c, field_name, [])
	_jwt_like(v)
}

_jwt_like(v) if {
	is_string(v)
	contains(v, "eyJ")
}

field(prefix, k) := concat(".", [prefix, k]) if regex.match(`^[A-Za-z0-9_-]+$`, k)

else := sprintf("%s[%q]", [prefix, k])

# The token key of a token Secret belongs to SA001/SA002.
token_key(o, "token") if o.object.type == k8s.sa_token_secret_type

# So does the applied configuration of a token Secret (SA002 reads it).
applied_token_of_token_secret(o, "kubectl.kubernetes.io/last-applied-configuration") if {
	o.kind == "Secret"
	o.object.type == k8s.sa_token_secret_type
}

# tokens_in finds JWTs in a string: kubeconfig users, JSON blobs with token
# keys, else raw JWTs anywhere. suffix extends the field path into the value.
tokens_in(s) := k if {
	k := kubeconfig_tokens(s)
	count(k) > 0
} else := j if {
	j := json_tokens(s)
	count(j) > 0
} else := {{"token": t, "suffix": "", "how": "raw"} |
	some t in regex.find_n(`eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`, s, -1)
}

kubeconfig_tokens(s) := {{"token": u.user.token, "suffix": sprintf(":users[%d].user.token", [i]), "how": "kubeconfig"} |
	contains(s, "users")
	doc := yaml.unmarshal(s)
	is_object(doc)
	doc.kind == "Config"
	some i, u in object.get(doc, "users", [])
	is_string(u.user.token)
}

token_keys := {"bearerToken", "token", "access_token", "accessToken", "id_token"}

json_tokens(s) := {{"token": v, "suffix": concat("", [":", k]), "how": "json"} |
	startswith(trim_space(s), "{")
	doc := json.unmarshal(s)
	some k, v in doc
	k in token_keys
	is_string(v)
}

medium_seconds := params.params.tokenTTL.mediumSeconds

severity("LEGACY", _) := "critical"

severity("SA_OTHER", _) := "high"

severity("BOUND", p) := s if {
	remaining := p.exp - (params.now_ns / 1000000000)
	s := bound_severity(remaining)
}

bound_severity(r) := "high" if r > medium_seconds

else := "medium" if r > 0

else := "low"
