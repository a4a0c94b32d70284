# METADATA
# title: ServiceAccount admission plugin disabled
# description: |
#   Without the ServiceAccount admission plugin pods are not assigned the
#   default ServiceAccount, ServiceAccount existence is not enforced, the
#   kube-api-access volume is not injected and enforce-mountable-secrets is not
#   applied (CIS 1.2.12). Its absence from --enable-admission-plugins is not a
#   finding: it is on by default.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#serviceaccount
# custom:
#   id: SA029
#   severity: medium
#   family: controlplane
#   remediation: |
#     Remove ServiceAccount from --disable-admission-plugins.
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
#             - --enable-admission-plugins=NodeRestriction
#   modes: [manifest, cluster]
package sascan.rules.controlplane.admission_disabled

import data.sascan.lib.flags
import data.sascan.lib.result

findings contains f if {
	some cp in flags.apiservers
	some occ in flags.occurrences(cp, "disable-admission-plugins")
	"ServiceAccount" in [trim_space(p) | some p in split(occ.value, ",")]
	f := result.finding(input.objects[cp.object], occ.path, "kube-apiserver disables the ServiceAccount admission plugin", {"evidence": {"component": cp.component}})
}
