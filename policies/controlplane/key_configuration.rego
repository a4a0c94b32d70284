# METADATA
# title: ServiceAccount signing and verification key configuration
# description: |
#   Checks the ServiceAccount key flags: kube-apiserver without
#   --service-account-key-file (verification falls back to the serving key,
#   CIS 1.2.22) and kube-controller-manager without
#   --service-account-private-key-file (CIS 1.3.4) are Medium; an external
#   signing endpoint combined with key files (the apiserver refuses to start),
#   several verification keys or issuers (a rotation in progress), and an
#   issuer that is not an https URL (no OIDC discovery) are Info.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/
# - ref: https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/
# custom:
#   id: SA028
#   severity: medium
#   family: controlplane
#   remediation: |
#     Give the apiserver a dedicated ServiceAccount key pair (kubeadm: sa.key and sa.pub) with
#     --service-account-key-file and --service-account-signing-key-file, give the
#     controller-manager --service-account-private-key-file, and remove retired public keys
#     once the longest token lifetime (including the one-year extension) has passed.
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
#     ---
#     apiVersion: v1
#     kind: Pod
#     metadata:
#       name: kube-controller-manager
#       namespace: kube-system
#       labels: {component: kube-controller-manager, tier: control-plane}
#     spec:
#       containers:
#         - name: kube-controller-manager
#           image: registry.k8s.io/kube-controller-manager:v1.37.2
#           command:
#             - kube-controller-manager
#             - --service-account-private-key-file=/etc/kubernetes/pki/sa.key
#             - --use-service-account-credentials=true
#   modes: [manifest, cluster]
package sascan.rules.controlplane.key_configuration

import data.sascan.lib.flags
import data.sascan.lib.result

signing_endpoint := "service-account-signing-endpoint"

key_file := "service-account-key-file"

findings contains f if {
	some cp in flags.apiservers
	not flags.present(cp, key_file)
	not flags.present(cp, signing_endpoint)
	f := finding(cp, flags.path(cp, key_file), "medium", "a", "kube-apiserver has no --service-account-key-file: tokens are verified with the serving key (--tls-private-key-file)")
}

findings contains f if {
	some cp in flags.controller_managers
	not flags.present(cp, "service-account-private-key-file")
	f := finding(cp, flags.path(cp, "service-account-private-key-file"), "medium", "b", "kube-controller-manager has no --service-account-private-key-file: its token controller cannot sign")
}

findings contains f if {
	some cp in flags.apiservers
	flags.present(cp, signing_endpoint)
	some other in [key_file, "service-account-signing-key-file"]
	flags.present(cp, other)
	f := finding(cp, flags.path(cp, other), "info", "c", sprintf("kube-apiserver sets --%s with --%s; they are mutually exclusive and the apiserver does not start", [signing_endpoint, other]))
}

findings contains f if {
	some cp in flags.apiservers
	some name in [key_file, "service-account-issuer"]
	count(flags.occurrences(cp, name)) > 1
	f := finding(cp, flags.path(cp, name), "info", "d", sprintf("kube-apiserver lists %d --%s values: a rotation is in progress and every one keeps verifying old tokens", [count(flags.occurrences(cp, name)), name]))
}

findings contains f if {
	some cp in flags.apiservers
	some occ in flags.occurrences(cp, "service-account-issuer")
	contains(occ.value, ":")
	not startswith(occ.value, "https://")
	f := finding(cp, occ.path, "info", "e", sprintf("issuer %q is not an https URL: OIDC discovery is disabled", [occ.value]))
}

finding(cp, path, severity, sub, message) := result.finding(input.objects[cp.object], path, message, {
	"severity": severity,
	"evidence": {"component": cp.component, "subCheck": sub},
})
