# METADATA
# title: Deprecated spec.serviceAccount field
# description: |
#   spec.serviceAccount is a deprecated alias of serviceAccountName. Tools that
#   read only serviceAccountName mis-attribute the identity; when both are set
#   and differ, the API server uses serviceAccountName while a reviewer may
#   trust the other. Live objects always show both fields equal, so this is a
#   manifest-only rule.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security
# custom:
#   id: SA020
#   severity: low
#   family: automount
#   remediation: |
#     Use serviceAccountName only and delete the serviceAccount field.
#   example: |
#     apiVersion: v1
#     kind: Pod
#     metadata: {name: web, namespace: shop}
#     spec:
#       serviceAccountName: web
#       automountServiceAccountToken: false
#       containers:
#         - {name: web, image: registry.example/web:1.0}
#   modes: [manifest]
package sascan.rules.automount.deprecated_sa_field

import data.sascan.lib.k8s
import data.sascan.lib.result

findings contains f if {
	some ps in k8s.pod_specs
	old := ps.spec.serviceAccount
	is_string(old)
	old != ""
	new := object.get(ps.spec, "serviceAccountName", "")
	new != old
	f := result.finding(ps.obj, concat(".", [ps.path, "serviceAccount"]), message(ps, old, new), {
		"severity": severity(new),
		"evidence": {"serviceAccount": old, "serviceAccountName": new, "effective": ps.sa},
	})
}

severity("") := "low"

severity(new) := "medium" if new != ""

message(ps, old, "") := sprintf("%s %s/%s sets the deprecated serviceAccount: %s", [ps.obj.kind, ps.obj.namespace, ps.obj.name, old])

message(ps, old, new) := sprintf("%s %s/%s sets serviceAccount: %s but serviceAccountName: %s, which is the one the API server uses", [ps.obj.kind, ps.obj.namespace, ps.obj.name, old, new]) if new != ""
