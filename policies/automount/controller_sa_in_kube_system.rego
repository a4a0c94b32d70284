# METADATA
# title: kube-system workload runs as a control-plane controller ServiceAccount
# description: |
#   With --use-service-account-credentials, kube-controller-manager runs each
#   controller as kube-system/<name>, bound to ClusterRole
#   system:controller:<name> with cluster-wide reach. kube-controller-manager
#   never runs pods as these ServiceAccounts, so a pod that does borrows a
#   controller's identity, which anyone who can create pods in kube-system can
#   do.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#controller-roles
# - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation
# custom:
#   id: SA021
#   severity: high
#   family: automount
#   remediation: |
#     Give the workload its own ServiceAccount with least privilege, and restrict who can
#     create pods in kube-system.
#   example: |
#     # An add-on in kube-system with its own least-privilege ServiceAccount.
#     apiVersion: v1
#     kind: ServiceAccount
#     metadata: {name: metrics-agent, namespace: kube-system}
#     ---
#     apiVersion: apps/v1
#     kind: Deployment
#     metadata: {name: metrics-agent, namespace: kube-system}
#     spec:
#       selector: {matchLabels: {app: metrics-agent}}
#       template:
#         metadata: {labels: {app: metrics-agent}}
#         spec:
#           serviceAccountName: metrics-agent
#           containers:
#             - {name: agent, image: registry.example/metrics-agent:1.0}
#   modes: [manifest, cluster]
package sascan.rules.automount.controller_sa_in_kube_system

import data.sascan.lib.k8s
import data.sascan.lib.result

findings contains f if {
	some ps in k8s.pod_specs
	ps.obj.namespace == "kube-system"
	not ps.static
	sa := ps.sa
	sa in k8s.controller_service_accounts
	f := result.finding(ps.obj, path(ps), sprintf("%s kube-system/%s runs as controller ServiceAccount %s", [ps.obj.kind, ps.obj.name, sa]), {"evidence": {"serviceAccount": sa, "clusterRole": concat("", ["system:controller:", sa])}})
}

path(ps) := concat(".", [ps.path, "serviceAccountName"]) if {
	ps.spec.serviceAccountName != ""
} else := concat(".", [ps.path, "serviceAccount"])
