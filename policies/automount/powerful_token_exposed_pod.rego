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
	sa := ps.sa
	tier := rbac.sa_key_top_tier(ps.saKey)
	tier < 2
	why := reasons(ps)
	count(why) > 0
	f := result.finding(ps.obj, ps.path, sprintf("%s %s/%s holds the %s token of ServiceAccount %s and %s", [ps.obj.kind, ps.obj.namespace, ps.obj.name, rbac.tier_name(tier), sa, concat(", ", sort(why))]), {
		"severity": severity(tier, why),
		"evidence": {"serviceAccount": ps.saKey, "privilegeTier": rbac.tier_name(tier), "exposure": sort(why)},
	})
}

severity(tier, why) := "critical" if {
	tier == 0
	count({"is privileged", "mounts a hostPath", "is a DaemonSet"} & {w | some w in why}) > 0
} else := "high"

# Where the pod runs (ps.host) is read by the scanner (access.Host); which
# of it spreads a compromise is decided here.
reasons(ps) := ((((({r |
	ps.host.privileged
	r := "is privileged"
} | {r |
	some ns in ps.host.namespaces
	r := sprintf("uses %s", [ns])
}) | {r |
	ps.host.hostPath
	r := "mounts a hostPath"
}) | {r |
	some c in ps.host.capabilities
	c in dangerous_capabilities
	r := sprintf("adds capability %s", [c])
}) | {r |
	ps.obj.kind == "DaemonSet"
	r := "is a DaemonSet"
}) | {r |
	some svc in exposing_services(ps)
	r := sprintf("is exposed by %s Service %s", [svc.object.spec.type, svc.name])
}) | {r |
	some ing in exposing_ingresses(ps)
	r := sprintf("is exposed by Ingress %s", [ing.name])
}

pod_labels(ps) := object.get(ps.meta, "labels", {})

selects(svc, ps) if {
	svc.namespace == ps.obj.namespace
	sel := svc.object.spec.selector
	count(sel) > 0
	every k, v in sel {
		pod_labels(ps)[k] == v
	}
}

# The Services that select pod spec ps. Services are indexed by namespace
# and by their selector's first key and value, so a pod spec looks only at
# the Services whose selector could match one of its labels, not at every
# Service of its namespace.
selecting_services(ps) := {svc |
	some k, v in pod_labels(ps)
	some svc in _services_by_selector[[ps.obj.namespace, k, v]]
	selects(svc, ps)
}

# The Services of k8s.services: core, and not defined again later in the
# input (kubectl apply would have replaced them).
_selector_entries := [[[s.namespace, k, sel[k]], s] |
	some s in k8s.services
	sel := object.get(s.object, ["spec", "selector"], {})
	is_object(sel)
	count(sel) > 0
	k := min(object.keys(sel))
]

# Grouped in a rule body, where OPA indexes the inner comprehension.
_services_by_selector := {key: list |
	some key in {e[0] | some e in _selector_entries}
	list := [e[1] | some e in _selector_entries; e[0] == key]
}

exposing_services(ps) := {svc |
	some svc in selecting_services(ps)
	svc.object.spec.type in {"LoadBalancer", "NodePort"}
}

# The Ingresses that route to a Service of ps.
exposing_ingresses(ps) := {ing |
	some svc in selecting_services(ps)
	some ing in _ingresses_by_service[[svc.namespace, svc.name]]
}

_ingress_entries := [[[i.namespace, name], i] |
	some i in k8s.objects("Ingress")
	some name in ingress_services(i)
]

_ingresses_by_service := {key: list |
	some key in {e[0] | some e in _ingress_entries}
	list := [e[1] | some e in _ingress_entries; e[0] == key]
}

ingress_services(ing) := {n | n := ing.object.spec.defaultBackend.service.name} | {n |
	some rule in object.get(ing.object, ["spec", "rules"], [])
	some p in object.get(rule, ["http", "paths"], [])
	n := p.backend.service.name
}
