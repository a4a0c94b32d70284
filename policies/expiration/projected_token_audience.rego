# METADATA
# title: User-projected token without an explicit audience
# description: |
#   A projected serviceAccountToken without audience gets the API server's
#   audience, so whoever receives it (a vault, a cloud STS, a remote peer) can
#   replay it against the Kubernetes API with the ServiceAccount's
#   permissions. Tokens for a non-API audience are also exempt from the
#   one-year extension.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/service-accounts/#authenticating-in-code
# - ref: https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/volume/#projections
# custom:
#   id: SA023
#   severity: low
#   family: expiration
#   remediation: |
#     Set audience: to the identifier the consumer validates; keep API-audience tokens for
#     talking to the API server only.
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
#                       audience: vault
#                       expirationSeconds: 3600
#   modes: [manifest, cluster]
package sascan.rules.expiration.projected_token_audience

import data.sascan.lib.k8s
import data.sascan.lib.result
import data.sascan.lib.tokens

findings contains f if {
	some [ps, src] in k8s.projected_tokens
	tokens.audience(src.token) == ""
	paths := k8s.mount_paths(ps, src.vol.name)
	not only_default_path(paths)
	p := sprintf("%s.volumes[%d].projected.sources[%d]", [ps.path, src.volume, src.source])
	f := result.finding(ps.obj, p, sprintf("%s %s/%s: projected token in volume %s has no audience, so it is valid against the API server", [ps.obj.kind, ps.obj.namespace, ps.obj.name, src.vol.name]), {"evidence": {"volume": src.vol.name, "mountPaths": sort([x | some x in paths])}})
}

only_default_path(paths) if {
	count(paths) > 0
	every p in paths {
		p == k8s.default_token_path
	}
}
