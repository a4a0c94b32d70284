# METADATA
# title: Workload runs as the default ServiceAccount with a token
# description: |
#   The pod runs as its namespace's default ServiceAccount and holds its token
#   (automounted or projected). Medium when that default ServiceAccount has
#   permissions beyond the discovery baseline: they then reach every pod in the
#   namespace that omits serviceAccountName (CIS 5.1.5). With --audit-log,
#   when the default ServiceAccount made no request while the workload existed
#   in the window, the evidence cites the window: the token can go (SA037).
# related_resources:
# - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#service-account-permissions
# custom:
#   id: SA018
#   severity: low
#   family: automount
#   remediation: |
#     Create a dedicated ServiceAccount for the workload and set serviceAccountName in the pod
#     template; grant it only what the workload needs.
#   example: |
#     # A dedicated ServiceAccount, no token where none is needed.
#     apiVersion: v1
#     kind: ServiceAccount
#     metadata: {name: web, namespace: shop}
#     automountServiceAccountToken: false
#     ---
#     apiVersion: apps/v1
#     kind: Deployment
#     metadata: {name: web, namespace: shop}
#     spec:
#       selector: {matchLabels: {app: web}}
#       template:
#         metadata: {labels: {app: web}}
#         spec:
#           serviceAccountName: web
#           containers:
#             - {name: web, image: registry.example/web:1.0}
#   modes: [manifest, cluster]
package sascan.rules.automount.default_sa_in_use

import data.sascan.lib.audit
import data.sascan.lib.k8s
import data.sascan.lib.rbac
import data.sascan.lib.result

findings contains f if {
	some ps in k8s.pod_specs
	not ps.static
	ps.sa == "default"
	holders := ps.tokenContainers
	count(holders) > 0
	privileged := default_privileged(ps.obj.namespace)
	f := result.finding(ps.obj, path(ps), sprintf("%s %s/%s runs as ServiceAccount %s/default and holds its token", [ps.obj.kind, ps.obj.namespace, ps.obj.name, ps.obj.namespace]), {
		"severity": severity(privileged),
		"confidence": "certain",
		"evidence": object.union(
			{
				"serviceAccount": ps.saKey,
				"containers": [x.c.name | some x in holders],
				"defaultHasPermissions": privileged,
			},
			audit_evidence(ps),
		),
	})
}

audit_evidence(ps) := audit.evidence(ps.obj) if audit.silent_workload(ps)

else := {}

default default_privileged(_) := false

default_privileged(ns) if rbac.sa_exceeds_baseline(ns, "default")

severity(true) := "medium"

severity(false) := "low"

# Point at serviceAccountName/serviceAccount when written, else the spec.
path(ps) := concat(".", [ps.path, "serviceAccountName"]) if {
	ps.spec.serviceAccountName != ""
} else := concat(".", [ps.path, "serviceAccount"]) if {
	ps.spec.serviceAccount != ""
} else := ps.path
