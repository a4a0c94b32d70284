# METADATA
# title: No or a long cap on TokenRequest lifetimes
# description: |
#   Without --service-account-max-token-expiration, anyone who may create
#   serviceaccounts/token can mint tokens valid for up to 2^32 seconds, and a
#   token from the TokenRequest API cannot be revoked on its own. Medium when
#   unset, Low when above 24 hours.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume
# custom:
#   id: SA025
#   severity: medium
#   family: expiration
#   remediation: |
#     Set --service-account-max-token-expiration, e.g. 24h (or 1h if no client needs longer; 1h also
#     stops the 3607 s to one year extension). Longer requests are shortened with a warning.
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
#             - --service-account-max-token-expiration=24h
#   modes: [manifest, cluster]
package sascan.rules.expiration.max_token_expiration

import data.sascan.lib.flags
import data.sascan.lib.params
import data.sascan.lib.result

flag := "service-account-max-token-expiration"

findings contains f if {
	some cp in flags.apiservers
	v := verdict(cp)
	obj := input.objects[cp.object]
	f := result.finding(obj, flags.path(cp, flag), v.message, {
		"severity": v.severity,
		"evidence": object.union({"component": cp.component}, v.evidence),
	})
}

medium := params.params.tokenTTL.mediumSeconds

external_signer(cp) if flags.present(cp, "service-account-signing-endpoint")

verdict(cp) := v if {
	not flags.present(cp, flag)
	not external_signer(cp)
	v := {"severity": "medium", "message": "kube-apiserver sets no --service-account-max-token-expiration: TokenRequests may last up to 2^32 seconds", "evidence": {"maxTokenExpiration": "unset"}}
} else := v if {
	not flags.present(cp, flag)
	external_signer(cp)
	v := {"severity": "info", "message": "kube-apiserver uses an external signer and no --service-account-max-token-expiration: the signer's maximum applies", "evidence": {"maxTokenExpiration": "signer"}}
} else := v if {
	s := flags.duration_seconds(cp, flag)
	s == 0
	v := {"severity": "medium", "message": "kube-apiserver sets --service-account-max-token-expiration to 0, which means no cap", "evidence": {"maxTokenExpiration": flags.last(cp, flag).value}}
} else := v if {
	s := flags.duration_seconds(cp, flag)
	s > medium
	v := {"severity": "low", "message": sprintf("kube-apiserver caps TokenRequests at %s, more than %d s", [flags.last(cp, flag).value, medium]), "evidence": {"maxTokenExpiration": flags.last(cp, flag).value, "seconds": s}}
} else := v if {
	not flags.duration_seconds(cp, flag)
	v := {"severity": "info", "message": sprintf("kube-apiserver --service-account-max-token-expiration=%s is not a duration; the apiserver would not start", [flags.last(cp, flag).value]), "evidence": {"maxTokenExpiration": flags.last(cp, flag).value}}
}
