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
#   modes: [manifest, cluster]
package sascan.rules.automount.controller_sa_in_kube_system

import data.sascan.lib.k8s
import data.sascan.lib.result

# ServiceAccounts of the built-in controllers (system:controller:<name>).
controller_service_accounts := {
	"attachdetach-controller", "certificate-controller", "clusterrole-aggregation-controller",
	"cronjob-controller", "daemon-set-controller", "deployment-controller", "disruption-controller",
	"endpoint-controller", "endpointslice-controller", "endpointslicemirroring-controller",
	"ephemeral-volume-controller", "expand-controller", "generic-garbage-collector",
	"horizontal-pod-autoscaler", "job-controller", "legacy-service-account-token-cleaner",
	"namespace-controller", "node-controller", "persistent-volume-binder", "pod-garbage-collector",
	"pv-protection-controller", "pvc-protection-controller", "replicaset-controller",
	"replication-controller", "resourcequota-controller", "root-ca-cert-publisher",
	"route-controller", "service-account-controller", "service-controller",
	"statefulset-controller", "token-cleaner", "ttl-after-finished-controller", "ttl-controller",
	"bootstrap-signer", "validatingadmissionpolicy-status-controller", "selinux-warning-controller",
	"service-cidrs-controller", "volumeattributesclass-protection-controller",
}

findings contains f if {
	some ps in k8s.pod_specs
	ps.obj.namespace == "kube-system"
	not k8s.mirror_or_static(ps)
	sa := k8s.sa_name(ps.spec)
	sa in controller_service_accounts
	f := result.finding(ps.obj, path(ps), sprintf("%s kube-system/%s runs as controller ServiceAccount %s", [ps.obj.kind, ps.obj.name, sa]), {"evidence": {"serviceAccount": sa, "clusterRole": concat("", ["system:controller:", sa])}})
}

path(ps) := concat(".", [ps.path, "serviceAccountName"]) if {
	ps.spec.serviceAccountName != ""
} else := concat(".", [ps.path, "serviceAccount"])
