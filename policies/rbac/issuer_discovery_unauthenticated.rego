# METADATA
# title: ServiceAccount issuer discovery exposed to unauthenticated clients
# description: |
#   Binding system:service-account-issuer-discovery to system:unauthenticated
#   publishes the issuer and its public keys to anyone who reaches the API
#   server. Some workload-identity federation setups need it; no credential is
#   exposed.
# related_resources:
# - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#service-account-issuer-discovery
# custom:
#   id: SA032
#   severity: info
#   family: rbac
#   remediation: |
#     Publish the JWKS for external relying parties at --service-account-jwks-uri instead of
#     opening discovery to unauthenticated clients.
#   example: |
#     # Keep service-account-issuer-discovery bound to system:serviceaccounts
#     # only (the default); relying parties read the JWKS from
#     # --service-account-jwks-uri.
#     apiVersion: rbac.authorization.k8s.io/v1
#     kind: ClusterRoleBinding
#     metadata: {name: system:service-account-issuer-discovery}
#     roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:service-account-issuer-discovery}
#     subjects:
#       - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:serviceaccounts}
#   modes: [manifest, cluster]
package sascan.rules.rbac.issuer_discovery_unauthenticated

import data.sascan.lib.rbac
import data.sascan.lib.result

findings contains f if {
	some b in rbac.bindings
	b.object.roleRef.name == "system:service-account-issuer-discovery"
	some i, subj in rbac.subjects(b)
	subj.kind == "Group"
	subj.name == "system:unauthenticated"
	f := result.finding(b, sprintf("subjects[%d]", [i]), sprintf("%s %s grants ServiceAccount issuer discovery to system:unauthenticated", [b.kind, b.name]), {})
}
