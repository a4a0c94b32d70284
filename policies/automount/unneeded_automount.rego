# METADATA
# title: ServiceAccount token automounted where it is not needed
# description: |
#   The pod gets an automounted API token although its ServiceAccount has no
#   permissions beyond the discovery baseline. A compromised container can
#   still authenticate with it, to the API and to anything that trusts the
#   cluster's issuer. Info when the ServiceAccount's bindings are not part of
#   the scan, so the need cannot be judged (CIS 5.1.6). With --audit-log,
#   when the ServiceAccount made no request while the workload existed in the
#   window, the finding is certain and its evidence cites the window (SA037).
# related_resources:
# - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
# - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#hardening
# custom:
#   id: SA016
#   severity: low
#   family: automount
#   remediation: |
#     Set automountServiceAccountToken: false in the pod template (the pod setting wins over the
#     ServiceAccount's), and mount a projected token with an explicit audience and
#     expirationSeconds only in pods that call an API. If the workload needs the token without
#     RBAC (TokenReview-based external auth), suppress with the annotation
#     ignore-check.sascan.io/SA016: "<reason>".
#   example: |
#     # The pod does not call the API: no token.
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
package sascan.rules.automount.unneeded_automount

import data.sascan.lib.audit
import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.rbac
import data.sascan.lib.result

findings contains f if {
	not rbac.every_sa_exceeds_baseline
	some ps in k8s.pod_specs
	not ps.static
	ps.automount
	mounted := ps.autoTokenContainers
	count(mounted) > 0
	sa := ps.sa
	not rbac.sa_exceeds_baseline(ps.obj.namespace, sa)
	f := result.finding(ps.obj, path(ps), message(ps, sa), {
		"severity": severity,
		"confidence": confidence(ps),
		"evidence": object.union(
			{
				"serviceAccount": k8s.key(ps.obj.namespace, sa),
				"automountSource": source(ps),
				"containers": [x.c.name | some x in mounted],
				"permissionsObservable": k8s.rbac_observed,
			},
			audit_evidence(ps),
		),
	})
}

# The audit logs confirm it: the account made no request in the window.
confidence(ps) := "certain" if audit.silent_workload(ps)

else := "likely"

audit_evidence(ps) := audit.evidence(ps.obj) if audit.silent_workload(ps)

else := {}

severity := "low" if k8s.rbac_observed

else := "info"

# Point at the field that decides: the pod's own setting if present.
path(ps) := concat(".", [ps.path, "automountServiceAccountToken"]) if {
	is_boolean(ps.spec.automountServiceAccountToken)
} else := ps.path

source(ps) := "pod" if {
	is_boolean(ps.spec.automountServiceAccountToken)
} else := "serviceAccount" if {
	is_boolean(k8s.pod_sa(ps).object.automountServiceAccountToken)
} else := "default"

message(ps, sa) := sprintf("%s %s/%s automounts the token of ServiceAccount %s, which has no permissions beyond API discovery", [ps.obj.kind, ps.obj.namespace, ps.obj.name, sa]) if {
	k8s.rbac_observed
} else := sprintf("%s %s/%s automounts the token of ServiceAccount %s; the scan listed only some namespaces' RBAC, so whether it needs one is unknown", [ps.obj.kind, ps.obj.namespace, ps.obj.name, sa]) if {
	params.live
} else := sprintf("%s %s/%s automounts the token of ServiceAccount %s; no RBAC objects were scanned, so whether it needs one is unknown", [ps.obj.kind, ps.obj.namespace, ps.obj.name, sa])
