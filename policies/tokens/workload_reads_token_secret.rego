# METADATA
# title: Workload mounts or reads a Secret-based ServiceAccount token
# description: |
#   A container mounts a kubernetes.io/service-account-token Secret (secret
#   volume or projected secret source) or reads it through env or envFrom.
#   Since 1.22 pods get short-lived projected tokens; mounting a token Secret
#   puts a non-expiring credential in a compromisable container and, because
#   pods reference it, keeps the legacy-token cleaner from ever invalidating
#   it. When the Secret is not in the scan, a name of the generated
#   <sa>-token-xxxxx form is reported as Medium with heuristic confidence.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/configuration/secret/#service-account-token-secrets
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#auto-generated-legacy-serviceaccount-token-clean-up
# custom:
#   id: SA004
#   severity: high
#   family: tokens
#   remediation: |
#     Replace the reference with a projected serviceAccountToken volume (with an audience if the
#     consumer is not the API server), then delete the Secret.
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
package sascan.rules.tokens.workload_reads_token_secret

import data.sascan.lib.k8s
import data.sascan.lib.rbac
import data.sascan.lib.result

generated_name := `^.+-token-[a-z0-9]{5}$`

# The Secrets a pod spec names come from the inventory (ps.secretRefs):
# volumes, which count when a container mounts them, and every container's
# env and envFrom (used).
findings contains f if {
	some ps in k8s.pod_specs
	not ps.static
	some ref in ps.secretRefs
	ref.used
	v := verdict(ps.obj.namespace, ref.secret)
	f := result.finding(ps.obj, ref.path, sprintf("%s %s/%s %s token Secret %s", [ps.obj.kind, ps.obj.namespace, ps.obj.name, ref.how, ref.secret]), {
		"severity": v.severity,
		"confidence": v.confidence,
		"evidence": {"secret": ref.secret, "serviceAccount": v.sa},
	})
}

# Most references name ordinary Secrets: two cheap tests on the name (a
# token Secret of that name exists somewhere; the name has "-token-") come
# before the lookups.
verdict(ns, name) := {"severity": sev, "confidence": "certain", "sa": sa} if {
	name in _token_secret_names
	s := k8s.token_secrets[k8s.key(ns, name)]
	sa := object.get(k8s.annotations(s), k8s.sa_name_annotation, "")
	sev := severity(rbac.sa_top_tier(ns, sa))
} else := {"severity": "medium", "confidence": "heuristic", "sa": ""} if {
	contains(name, "-token-")
	not k8s.secrets[k8s.key(ns, name)]
	regex.match(generated_name, name)
}

# +1 when the token's ServiceAccount holds a tier-0 permission.
severity(0) := "critical"

severity(tier) := "high" if tier > 0

_token_secret_names := {s.name | some s in k8s.token_secrets}
