# METADATA
# title: Controllers share one credential (--use-service-account-credentials not true)
# description: |
#   Without --use-service-account-credentials=true kube-controller-manager runs
#   every control loop with its own credential, which must then hold all the
#   controllers' roles: per-controller least privilege and audit attribution
#   are lost (CIS 1.3.3). The flag defaults to false.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#controller-roles
# custom:
#   id: SA030
#   severity: medium
#   family: controlplane
#   remediation: |
#     Set --use-service-account-credentials=true on kube-controller-manager (kubeadm does).
#   example: |
#     # Static pod manifest (kube-controller-manager), relevant flags only.
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
package sascan.rules.controlplane.shared_controller_credentials

import data.sascan.lib.flags
import data.sascan.lib.result

flag := "use-service-account-credentials"

findings contains f if {
	some cp in flags.controller_managers
	not uses_sa_credentials(cp)
	f := result.finding(input.objects[cp.object], flags.path(cp, flag), "kube-controller-manager runs all controllers with one credential (--use-service-account-credentials is not true)", {"evidence": {"component": cp.component, "explicit": flags.present(cp, flag)}})
}

uses_sa_credentials(cp) if flags.bool(cp, flag, false) == true
