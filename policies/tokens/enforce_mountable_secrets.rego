# METADATA
# title: kubernetes.io/enforce-mountable-secrets annotation used
# description: |
#   The annotation is deprecated since Kubernetes 1.32 and is not a security
#   boundary: when enforced it only checks secret volumes, env and envFrom
#   references and imagePullSecrets of new pods; Secrets mounted through
#   projected volumes or CSI drivers, or read through the API, are not checked.
#   Its value is read with strconv.ParseBool: "yes" means not enforced.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/labels-annotations-taints/#enforce-mountable-secrets
# - ref: https://kubernetes.io/docs/concepts/security/service-accounts/#enforce-mountable-secrets
# custom:
#   id: SA010
#   severity: info
#   family: tokens
#   remediation: |
#     Isolate sensitive Secrets in separate namespaces and restrict who can create pods there.
#   example: |
#     # Sensitive Secrets live in their own namespace, whose ServiceAccounts
#     # need no mountable-secrets annotation.
#     apiVersion: v1
#     kind: Namespace
#     metadata: {name: payments-secrets}
#     ---
#     apiVersion: v1
#     kind: ServiceAccount
#     metadata: {name: payments, namespace: payments-secrets}
#     automountServiceAccountToken: false
#   modes: [manifest, cluster]
package sascan.rules.tokens.enforce_mountable_secrets

import data.sascan.lib.flags
import data.sascan.lib.k8s
import data.sascan.lib.result

annotation := "kubernetes.io/enforce-mountable-secrets"

findings contains f if {
	some sa in k8s.objects("ServiceAccount")
	sa.group == ""
	value := k8s.annotations(sa)[annotation]
	enforced := value in flags.true_values
	f := result.finding(sa, sprintf("metadata.annotations[%q]", [annotation]), message(sa, enforced), {"evidence": {
		"value": value,
		"effective": enforced,
		"notChecked": ["projected secret sources", "CSI volumes", "Secrets read through the API"],
	}})
}

message(sa, true) := sprintf("ServiceAccount %s/%s enforces mountable secrets, a deprecated control that projected volumes bypass", [sa.namespace, sa.name])

message(sa, false) := sprintf("ServiceAccount %s/%s sets %s to a value that is not true, so nothing is enforced", [sa.namespace, sa.name, annotation])
