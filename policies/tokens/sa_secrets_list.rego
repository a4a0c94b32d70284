# METADATA
# title: ServiceAccount lists Secrets in .secrets
# description: |
#   ServiceAccount.secrets only matters for the deprecated
#   kubernetes.io/enforce-mountable-secrets annotation and for making a token
#   Secret count as auto-generated for the legacy-token cleaner. Listing a
#   manually created token there, a Secret that is not a token, or a token a
#   workload mounts keeps long-lived credentials around.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/service-account-v1/
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#auto-generated-legacy-serviceaccount-token-clean-up
# custom:
#   id: SA009
#   severity: info
#   family: tokens
#   remediation: |
#     Remove entries that are not needed and never reference manually created token Secrets in
#     ServiceAccount.secrets.
#   example: |
#     # No .secrets list; image pull credentials go in imagePullSecrets.
#     apiVersion: v1
#     kind: ServiceAccount
#     metadata: {name: builder, namespace: ci}
#     imagePullSecrets:
#       - name: registry-credentials
#   modes: [manifest, cluster]
package sascan.rules.tokens.sa_secrets_list

import data.sascan.lib.k8s
import data.sascan.lib.result

findings contains f if {
	some sa in k8s.objects("ServiceAccount")
	sa.group == ""
	refs := object.get(sa.object, "secrets", [])
	is_array(refs)
	count(refs) > 0
	names := [n | some r in refs; n := object.get(r, "name", "")]
	notable := {n | some n in names; notable_entry(sa, n)}
	f := result.finding(sa, "secrets", message(sa, names), {
		"severity": severity(notable),
		"evidence": {"secrets": names, "nonTokenOrMounted": sort_set(notable)},
	})
}

severity(notable) := "low" if count(notable) > 0

else := "info"

sort_set(s) := sort([x | some x in s])

message(sa, names) := sprintf("ServiceAccount %s/%s lists %d Secret(s) in .secrets", [sa.namespace, sa.name, count(names)])

# A listed Secret that is not a token Secret (known in scope).
notable_entry(sa, name) if {
	s := k8s.secrets[k8s.key(sa.namespace, name)]
	s.object.type != k8s.sa_token_secret_type
}

# A listed token Secret that a workload in the namespace mounts or reads.
notable_entry(sa, name) if {
	k := k8s.key(sa.namespace, name)
	k8s.token_secrets[k]
	k in k8s.referenced_secret_keys
}
