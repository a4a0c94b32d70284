# METADATA
# title: kube-apiserver extends pod tokens to one year
# description: |
#   With --service-account-extend-token-expiration at its default true, every
#   admission-injected pod token (requested for 3607 s) is valid for a year,
#   so a token taken from a long-running pod stays usable until the pod is
#   deleted. Info when --service-account-max-token-expiration is below 3607 s:
#   the request is clamped first and the extension never triggers (CIS 1.2.30).
# related_resources:
# - ref: https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume
# custom:
#   id: SA024
#   severity: medium
#   family: expiration
#   remediation: |
#     Check that no client relies on the extension (metric serviceaccount_stale_tokens_total and
#     audit annotation authentication.k8s.io/stale-token should stay at zero), then set
#     --service-account-extend-token-expiration=false on every kube-apiserver.
#   example: |
#     # Static pod manifest (kube-apiserver), relevant flags only.
#     apiVersion: v1
#     kind: Pod
#     metadata:
#       name: kube-apiserver
#       namespace: kube-system
#       labels: {component: kube-apiserver, tier: control-plane}
#     spec:
#       containers:
#         - name: kube-apiserver
#           image: registry.k8s.io/kube-apiserver:v1.37.2
#           command:
#             - kube-apiserver
#             - --service-account-issuer=https://kubernetes.default.svc.cluster.local
#             - --service-account-key-file=/etc/kubernetes/pki/sa.pub
#             - --service-account-signing-key-file=/etc/kubernetes/pki/sa.key
#             - --service-account-extend-token-expiration=false
#             - --service-account-max-token-expiration=24h
#   modes: [manifest, cluster]
package sascan.rules.expiration.extend_token_expiration

import data.sascan.lib.flags
import data.sascan.lib.result
import data.sascan.lib.tokens

flag := "service-account-extend-token-expiration"

findings contains f if {
	some cp in flags.apiservers
	flags.bool(cp, flag, true) == true
	obj := input.objects[cp.object]
	f := result.finding(obj, flags.path(cp, flag), message(cp), {
		"severity": severity(cp),
		"evidence": {
			"component": cp.component,
			"extendTokenExpiration": true,
			"explicit": flags.present(cp, flag),
			"neutralised": neutralised(cp),
		},
	})
}

default neutralised(_) := false

# A cap below 3607 s clamps the request before the extension check.
neutralised(cp) if {
	max := flags.duration_seconds(cp, "service-account-max-token-expiration")
	max > 0
	max < tokens.extension_trigger
}

severity(cp) := "info" if neutralised(cp)

else := "medium"

message(cp) := "kube-apiserver extends admission-injected pod tokens to one year, but --service-account-max-token-expiration below 3607s neutralises it" if neutralised(cp)

else := "kube-apiserver extends admission-injected pod tokens to one year (--service-account-extend-token-expiration is true)"
