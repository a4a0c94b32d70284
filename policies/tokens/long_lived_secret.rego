# METADATA
# title: Long-lived Secret-based ServiceAccount token
# description: |
#   A Secret of type kubernetes.io/service-account-token holds a token with no
#   expiry and no audience. It never rotates, lives in etcd and is readable by
#   anyone who can read Secrets in the namespace. Critical when the
#   ServiceAccount it names holds a tier-0 permission.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/configuration/secret/#service-account-token-secrets
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#create-additional-api-tokens
# - ref: https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token
# custom:
#   id: SA001
#   severity: high
#   family: tokens
#   remediation: |
#     Delete the Secret and use short-lived tokens instead: `kubectl create token <sa> --duration=1h`,
#     a projected serviceAccountToken volume, or OIDC/client certificates for external clients.
#     If a non-expiring token is really needed, create it deliberately, keep it out of
#     ServiceAccount.secrets, bind the ServiceAccount to least privilege and watch the
#     kubernetes.io/legacy-token-last-used label.
#   example: |
#     # A short-lived, audience-bound token from a projected volume.
#     apiVersion: apps/v1
#     kind: Deployment
#     metadata: {name: client, namespace: ci}
#     spec:
#       selector: {matchLabels: {app: client}}
#       template:
#         metadata: {labels: {app: client}}
#         spec:
#           serviceAccountName: deployer
#           automountServiceAccountToken: false
#           containers:
#             - name: client
#               image: registry.example/client:1.0
#               volumeMounts:
#                 - {name: api-token, mountPath: /var/run/secrets/tokens, readOnly: true}
#           volumes:
#             - name: api-token
#               projected:
#                 sources:
#                   - serviceAccountToken:
#                       path: token
#                       audience: https://kubernetes.default.svc.cluster.local
#                       expirationSeconds: 3600
#   modes: [manifest, cluster]
package sascan.rules.tokens.long_lived_secret

import data.sascan.lib.k8s
import data.sascan.lib.rbac
import data.sascan.lib.result

findings contains f if {
	some s in k8s.objects("Secret")
	s.group == ""
	s.object.type == k8s.sa_token_secret_type
	not k8s.labels(s)["kubernetes.io/legacy-token-invalid-since"]
	sa_name := object.get(k8s.annotations(s), k8s.sa_name_annotation, "")
	tier := rbac.sa_top_tier(s.namespace, sa_name)
	f := result.finding(s, "type", message(s, sa_name), {
		"severity": severity(tier),
		"evidence": evidence(s, sa_name, tier),
		"related": related(s, sa_name),
	})
}

severity(0) := "critical"

severity(tier) := "high" if tier != 0

message(s, "") := sprintf("Secret %s/%s is a long-lived ServiceAccount token Secret without the %s annotation", [s.namespace, s.name, k8s.sa_name_annotation])

message(s, sa) := sprintf("Secret %s/%s holds a long-lived token for ServiceAccount %s", [s.namespace, s.name, sa]) if sa != ""

evidence(s, sa_name, tier) := object.union(
	{
		"serviceAccount": sa_name,
		"classification": k8s.token_classification(s),
		"privilegeTier": rbac.tier_name(tier),
	},
	object.union(last_used(s), placeholder(s)),
)

last_used(s) := {"lastUsed": v} if {
	v := k8s.labels(s)["kubernetes.io/legacy-token-last-used"]
} else := {}

# rules.md SA002: a token key that is not a JWT is a placeholder, reported
# here rather than as token material.
placeholder(s) := {"placeholderTokenKey": true} if {
	some v in token_values(s)
	v != ""
	not token_material(v)
} else := {}

token_values(s) := {v | v := s.object.stringData.token} | {v | v := s.object.data.token}

token_material(v) if {
	some d in data.sascan.lib.jwt.decoded_levels(v)
	data.sascan.lib.jwt.candidate(d)
}

related(s, sa_name) := [{"object": sa.id, "path": ""}] if {
	sa := k8s.service_accounts[k8s.key(s.namespace, sa_name)]
	sa.origin != "implicit"
} else := []
