# METADATA
# title: Legacy token Secret unused in the audit window
# description: |
#   No request in the audit logs given with --audit-log authenticated with
#   the token of this Secret. The API server annotates every use of a
#   legacy token (authentication.k8s.io/legacy-token, and from 1.28 the
#   Secret's name), so an unused Secret is a credential nobody needs: it
#   can be deleted without breaking a client. Runs only with --audit-log;
#   the finding names the window it is based on.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#legacy-serviceaccount-token-cleaner
# - ref: https://kubernetes.io/docs/reference/labels-annotations-taints/audit-annotations/
# custom:
#   id: SA035
#   severity: medium
#   family: tokens
#   remediation: |
#     Delete the Secret (kubectl delete secret -n NAMESPACE NAME); its token stops working at
#     once. Check the window first: a client that runs less often than the logs cover (a
#     quarterly job) would not show in them.
#   example: |
#     # Nothing: the unused token Secret is deleted. A client that needs a token
#     # later gets a short-lived one: kubectl create token ci --duration=1h
#     apiVersion: v1
#     kind: ServiceAccount
#     metadata: {name: ci, namespace: build}
#     automountServiceAccountToken: false
#   modes: [manifest, cluster]
package sascan.rules.tokens.legacy_token_unused

import data.sascan.lib.audit
import data.sascan.lib.k8s
import data.sascan.lib.result

findings contains f if {
	audit.present
	some s in k8s.objects("Secret")
	s.group == ""
	not s.shadowed
	s.object.type == k8s.sa_token_secret_type
	not k8s.labels(s)[k8s.invalid_since_label]
	not used_since_window_start(s)
	audit.existed(s)
	not input.audit.secrets[k8s.key(s.namespace, s.name)]
	sa := object.get(k8s.annotations(s), k8s.sa_name_annotation, "")
	basis := unused(k8s.key(s.namespace, sa))
	f := result.finding(s, "type", sprintf("Secret %s/%s holds a legacy token of ServiceAccount %s that no request used from %s: delete it", [s.namespace, s.name, sa, audit.observed_text(s)]), {"evidence": object.union(
		{"serviceAccount": sa, "basis": basis, "classification": k8s.token_classification(s)},
		audit.evidence(s),
	)})
}

# The token controller's own record (legacy-token-last-used, a day) says
# it was used on or after the day the window starts: a use the log did not
# show (another API server's, or one its audit policy left out).
used_since_window_start(s) if {
	day := k8s.labels(s)[k8s.last_used_label]
	day >= substring(audit.window.first, 0, 10)
}

# Why no use of the token is certain: the log names the Secret of every
# legacy-token use (1.28 and later) and names others; or it annotates
# legacy-token use and none is the account's; or the account made no
# request at all.
unused(key) := "the log names the Secret of every legacy-token request, and not this one" if {
	is_string(key) # the else branches read the key
	input.audit.evidence.legacySecrets == true
} else := "the account made no request with a legacy token" if {
	input.audit.evidence.legacyTokens == true
	audit.legacy_requests(key) == 0
} else := "the account made no request" if {
	audit.requests(key) == 0
}
