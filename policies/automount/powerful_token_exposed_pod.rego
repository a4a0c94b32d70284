# METADATA
# title: Powerful token mounted in a high-blast-radius pod
# description: |
#   A pod holds the token of a ServiceAccount with tier-0 or tier-1
#   permissions and runs where a compromise spreads: a privileged container,
#   host namespaces, a hostPath volume, dangerous added capabilities, a
#   DaemonSet (every node), or exposure through a LoadBalancer or NodePort
#   Service or an Ingress. High; Critical with a tier-0 ServiceAccount in a
#   privileged, hostPath or DaemonSet pod.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#minimize-distribution-of-privileged-tokens
# - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation
# custom:
#   id: SA019
#   severity: high
#   family: automount
#   remediation: |
#     Split the host-level component from the API-privileged one, reduce the ServiceAccount's
#     permissions, isolate such pods with node affinity and taints, and disable automount where
#     the privileged container does not call the API.
#   example: |
#     # The host-level agent runs without a token; the component that calls the
#     # API runs in its own Deployment.
#     apiVersion: apps/v1
#     kind: DaemonSet
#     metadata: {name: node-agent, namespace: monitoring}
#     spec:
#       selector: {matchLabels: {app: node-agent}}
#       template:
#         metadata: {labels: {app: node-agent}}
#         spec:
#           serviceAccountName: node-agent
#           automountServiceAccountToken: false
#           hostPID: true
#           containers:
#             - name: agent
#               image: registry.example/node-agent:1.0
#               securityContext: {privileged: true}
#   modes: [manifest, cluster]
package sascan.rules.automount.powerful_token_exposed_pod

import data.sascan.lib.k8s
import data.sascan.lib.rbac
import data.sascan.lib.result

dangerous_capabilities := {"SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "ALL"}

findings contains f if {
	some ps in k8s.pod_specs
	not ps.static
	count(ps.tokenContainers) > 0
	why := reasons(ps.host, ps.exposure, ps.obj.kind)
	count(why) > 0
	sa := ps.sa
	tier := rbac.sa_key_top_tier(ps.saKey)
	tier < 2
	f := result.finding(ps.obj, ps.path, sprintf("%s %s/%s holds the %s token of ServiceAccount %s and %s", [ps.obj.kind, ps.obj.namespace, ps.obj.name, rbac.tier_name(tier), sa, concat(", ", sort(why))]), {
		"severity": severity(tier, why),
		"evidence": {"serviceAccount": ps.saKey, "privilegeTier": rbac.tier_name(tier), "exposure": sort(why)},
	})
}

severity(tier, why) := "critical" if {
	tier == 0
	count({"is privileged", "mounts a hostPath", "is a DaemonSet"} & {w | some w in why}) > 0
} else := "high"

# Where the pod runs (ps.host) and which Services select its pods
# (ps.exposure) are read by the scanner (access.Host, access.Exposure);
# which of it spreads a compromise is decided here. Most pod specs share one
# host and one exposure term, so reasons is computed once per distinct
# value, not once per pod spec.
reasons(host, exposure, kind) := (host_reasons(host) | exposure_reasons(exposure)) | kind_reasons(kind)

host_reasons(host) := (({r |
	host.privileged
	r := "is privileged"
} | {r |
	some ns in host.namespaces
	r := sprintf("uses %s", [ns])
}) | {r |
	host.hostPath
	r := "mounts a hostPath"
}) | {r |
	some c in host.capabilities
	c in dangerous_capabilities
	r := sprintf("adds capability %s", [c])
}

# A Service of type NodePort or LoadBalancer takes traffic from outside
# the cluster; an Ingress routing to any Service that selects the pods does
# too.
exposure_reasons(exposure) := {r |
	some e in exposure
	e.type in {"LoadBalancer", "NodePort"}
	r := sprintf("is exposed by %s Service %s", [e.type, e.service])
} | {r |
	some e in exposure
	some ing in e.ingresses
	r := sprintf("is exposed by Ingress %s", [ing])
}

kind_reasons("DaemonSet") := {"is a DaemonSet"}

kind_reasons(kind) := set() if kind != "DaemonSet"
