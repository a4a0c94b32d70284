# METADATA
# title: The default ServiceAccount does not opt out of automount
# description: |
#   Every pod that forgets serviceAccountName runs as its namespace's default
#   ServiceAccount and, unless that ServiceAccount sets
#   automountServiceAccountToken: false, gets its token (CIS 5.1.5). A
#   Namespace in the scan without an opted-out default ServiceAccount gets the
#   controller-created one, which sets nothing.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts
# - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
# custom:
#   id: SA017
#   severity: low
#   family: automount
#   remediation: |
#     Manage the default ServiceAccount of each namespace declaratively with
#     automountServiceAccountToken: false, or patch it:
#     kubectl patch serviceaccount default -n <ns> -p '{"automountServiceAccountToken": false}'
#   example: |
#     apiVersion: v1
#     kind: ServiceAccount
#     metadata: {name: default, namespace: shop}
#     automountServiceAccountToken: false
#   modes: [manifest, cluster]
package sascan.rules.automount.default_sa_automount

import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.result

findings contains f if {
	some sa in k8s.objects("ServiceAccount")
	sa.group == ""
	sa.name == "default"
	sa.origin != "implicit"
	object.get(sa.object, "automountServiceAccountToken", null) != false
	f := result.finding(sa, path(sa), sprintf("ServiceAccount %s/default does not set automountServiceAccountToken: false", [sa.namespace]), {})
}

# In manifest mode a Namespace without an explicit default ServiceAccount
# gets one from the controller with the field unset.
findings contains f if {
	not params.live
	some sa in k8s.objects("ServiceAccount")
	sa.origin == "implicit"
	k8s.namespaces[sa.namespace]
	f := result.finding(sa, "", sprintf("Namespace %s has no default ServiceAccount with automountServiceAccountToken: false; the one the controller creates automounts its token", [sa.namespace]), {"confidence": "likely", "related": [{"object": k8s.namespaces[sa.namespace].id, "path": ""}]})
}

path(sa) := "automountServiceAccountToken" if is_boolean(sa.object.automountServiceAccountToken)

else := "metadata.name"
