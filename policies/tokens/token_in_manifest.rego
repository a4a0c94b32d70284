# METADATA
# title: Token material committed in a ServiceAccount-token Secret manifest
# description: |
#   A kubernetes.io/service-account-token Secret manifest that carries a token
#   value is itself a bearer credential: whoever reads the repository, the CI
#   log or the Helm release can use it, and the token controller keeps a
#   pre-supplied value when the manifest is applied again. Live objects are
#   checked through their last-applied-configuration annotation.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/configuration/secret/#service-account-token-secrets
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#manually-create-an-api-token-for-a-serviceaccount
# custom:
#   id: SA002
#   severity: critical
#   family: tokens
#   remediation: |
#     Revoke the token: delete the Secret in every cluster it was applied to (deletion revokes a
#     legacy token only while --service-account-lookup=true), rotate the ServiceAccount signing key
#     if the token was public, purge it from version-control history, and keep the manifest without
#     data or stringData so the controller generates a fresh token.
#   example: |
#     # Commit the token Secret without data or stringData: the token
#     # controller generates a fresh token in the cluster.
#     apiVersion: v1
#     kind: Secret
#     metadata:
#       name: deployer-token
#       namespace: ci
#       annotations:
#         kubernetes.io/service-account.name: deployer
#     type: kubernetes.io/service-account-token
#   modes: [manifest, cluster]
package sascan.rules.tokens.token_in_manifest

import data.sascan.lib.jwt
import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.result

findings contains f if {
	some s in k8s.objects("Secret")
	s.group == ""
	s.object.type == k8s.sa_token_secret_type
	some t in token_fields(s)
	some d in jwt.decoded_levels(t.value)
	tok := jwt.decode(d)
	f := result.finding(s, t.path, message(s, t.path), {"evidence": evidence(s, tok.payload, t)})
}

# In manifests the Secret's own data; live, data.token is always present and
# only the applied configuration shows what a user committed.
token_fields(s) := {{"path": p, "value": v} |
	not params.live
	some field in ["data", "stringData"]
	v := s.object[field].token
	is_string(v)
	p := concat(".", [field, "token"])
} | {{"path": p, "value": v, "lastApplied": true} |
	applied := json.unmarshal(k8s.annotations(s)["kubectl.kubernetes.io/last-applied-configuration"])
	some field in ["data", "stringData"]
	v := applied[field].token
	is_string(v)
	p := sprintf("metadata.annotations[%q]", ["kubectl.kubernetes.io/last-applied-configuration"])
}

message(s, path) := sprintf("Secret %s/%s carries a ServiceAccount token value in %s", [s.namespace, s.name, path])

evidence(s, payload, t) := object.union(jwt.evidence(payload), {
	"exportedFromCluster": object.get(k8s.annotations(s), k8s.sa_uid_annotation, "") != "",
	"inLastAppliedConfiguration": object.get(t, "lastApplied", false),
})
