# METADATA
# title: Token held by a workload whose ServiceAccount made no request
# description: |
#   The workload holds its ServiceAccount's token (automounted or projected),
#   but the audit logs given with --audit-log hold no request of that
#   ServiceAccount while the workload existed. Nothing used the token in the
#   window: removing it (automountServiceAccountToken: false) is safe by
#   evidence, not by a guess from RBAC. Where SA016 or SA018 reports the same
#   token, their confidence becomes certain and their evidence cites the
#   window. Runs only with --audit-log.
# related_resources:
# - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
# custom:
#   id: SA037
#   severity: low
#   family: automount
#   remediation: |
#     Set automountServiceAccountToken: false in the pod template and remove projected
#     serviceAccountToken volumes the workload does not read. Check the window first: code
#     paths that run rarely (a failover, a monthly report) may not show in it.
#   example: |
#     apiVersion: apps/v1
#     kind: Deployment
#     metadata: {name: web, namespace: shop}
#     spec:
#       selector: {matchLabels: {app: web}}
#       template:
#         metadata: {labels: {app: web}}
#         spec:
#           serviceAccountName: web
#           automountServiceAccountToken: false
#           containers:
#             - {name: web, image: registry.example/web:1.0}
#   modes: [manifest, cluster]
package sascan.rules.automount.silent_token

import data.sascan.lib.audit
import data.sascan.lib.k8s
import data.sascan.lib.result

findings contains f if {
	audit.present
	some ps in k8s.pod_specs
	not ps.static
	holders := ps.tokenContainers
	count(holders) > 0
	audit.silent_workload(ps)
	f := result.finding(ps.obj, path(ps), sprintf("%s %s/%s holds the token of ServiceAccount %s, which made no API request from %s", [ps.obj.kind, ps.obj.namespace, ps.obj.name, ps.sa, audit.observed_text(ps.obj)]), {"evidence": object.union(
		{"serviceAccount": ps.saKey, "containers": [x.c.name | some x in holders]},
		audit.evidence(ps.obj),
	)})
}

path(ps) := concat(".", [ps.path, "automountServiceAccountToken"]) if {
	is_boolean(ps.spec.automountServiceAccountToken)
} else := ps.path
