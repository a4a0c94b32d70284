# METADATA
# title: Projected ServiceAccount token lifetime too long
# description: |
#   A projected serviceAccountToken volume requests a token that lives longer
#   than the workload needs: Medium above 24 hours, Low above one hour, and Low
#   for exactly 3607 seconds with an API audience, the value that makes the API
#   server extend the token to one year. Values the API rejects (under 600 s or
#   over 2^32 s) are Info. The volume admission injects is not reported here.
# related_resources:
# - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#launch-a-pod-using-service-account-token-projection
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume
# custom:
#   id: SA022
#   severity: low
#   family: expiration
#   remediation: |
#     Request at most one hour (expirationSeconds: 3600, minimum 600) and make the consumer re-read
#     the token file: the kubelet refreshes it at 80 % of its lifetime or after 24 hours. Do not use
#     3607 in hand-written projections.
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
package sascan.rules.expiration.projected_token_ttl

import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.result
import data.sascan.lib.tokens

findings contains f if {
	some [ps, src] in k8s.projected_tokens
	e := tokens.expiration(src.token)
	aud := tokens.audience(src.token)
	v := verdict(e, aud)
	p := sprintf("%s.volumes[%d].projected.sources[%d]", [ps.path, src.volume, src.source])
	f := result.finding(ps.obj, p, sprintf("%s %s/%s: projected token in volume %s %s", [ps.obj.kind, ps.obj.namespace, ps.obj.name, src.vol.name, v.why]), {
		"severity": v.severity,
		"evidence": {"expirationSeconds": e, "audience": aud, "volume": src.vol.name},
	})
}

ttl := params.params.tokenTTL

verdict(e, aud) := {"severity": "info", "why": sprintf("requests %d s, which validation rejects (allowed 600 s to 2^32 s)", [e])} if {
	tokens.invalid_expiration(e)
} else := {"severity": "medium", "why": sprintf("lives %d s, more than %d s", [e, ttl.mediumSeconds])} if {
	e > ttl.mediumSeconds
} else := {"severity": "low", "why": "requests 3607 s with an API audience, which the API server extends to one year"} if {
	e == tokens.extension_trigger
	tokens.api_audience(aud)
} else := {"severity": "low", "why": sprintf("lives %d s, more than %d s", [e, ttl.lowSeconds])} if {
	e > ttl.lowSeconds
}
