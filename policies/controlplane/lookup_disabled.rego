# METADATA
# title: Legacy-token revocation disabled (--service-account-lookup=false)
# description: |
#   With lookup off, kube-apiserver does not check that a legacy token's Secret
#   and ServiceAccount still exist, so deleting the Secret (the only way to
#   revoke a legacy token) does not revoke it, and usage tracking and
#   invalid-since enforcement stop (CIS 1.2.21). Bound tokens are unaffected.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#legacy-serviceaccount-token-cleaner
# custom:
#   id: SA027
#   severity: high
#   family: controlplane
#   remediation: |
#     Remove the flag or set --service-account-lookup=true on every kube-apiserver.
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
#             - --service-account-lookup=true
#   modes: [manifest, cluster]
package sascan.rules.controlplane.lookup_disabled

import data.sascan.lib.flags
import data.sascan.lib.result

flag := "service-account-lookup"

findings contains f if {
	some cp in flags.apiservers
	flags.bool(cp, flag, true) == false
	f := result.finding(input.objects[cp.object], flags.path(cp, flag), "kube-apiserver runs with --service-account-lookup=false: deleting a token Secret no longer revokes its token", {"evidence": {"component": cp.component, "value": flags.last(cp, flag).value}})
}
