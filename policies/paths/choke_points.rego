# METADATA
# title: One change cuts many attack paths
# description: |
#   Ranks what the attack paths of SA033 go through: the bindings of their
#   steps, the roles those bindings grant (bootstrap roles aside) and the
#   automount of a first token that is taken no other way. Reports the ten
#   elements on the most paths (at least two), with how many paths each cuts
#   and which sinks they reach: changing that one object removes all of
#   them. High when it cuts a path to cluster-admin, else Medium.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# custom:
#   id: SA034
#   severity: medium
#   family: paths
#   remediation: |
#     Change the named object first: narrow or delete the binding (or bind the role to the
#     ServiceAccounts that need it instead of a group), split the role, or set
#     automountServiceAccountToken: false on the ServiceAccount whose token starts the paths
#     (and on the workloads that set it to true themselves, which the ServiceAccount's setting
#     does not override).
#   example: |
#     # Instead of every ServiceAccount of the cluster, the one deployer.
#     apiVersion: rbac.authorization.k8s.io/v1
#     kind: RoleBinding
#     metadata: {name: deployers, namespace: apps}
#     roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
#     subjects:
#       - {kind: ServiceAccount, name: deployer, namespace: ci}
#   modes: [manifest, cluster]
package sascan.rules.paths.choke_points

import data.sascan.lib.k8s
import data.sascan.lib.paths
import data.sascan.lib.result

findings contains f if {
	some cp in paths.choke_points
	obj := object_of(cp.element)
	reached := [paths.reported[i] | some i in cp.paths]
	sinks := {s: count([1 | some p in reached; p.sink == s]) | some s in {p.sink | some p in reached}}
	tokens := sort({p.serviceAccount | some p in reached})
	f := result.finding(obj, "", message(cp.element, obj, count(cp.paths), sinks), {
		"severity": severity(sinks),
		"confidence": "likely",
		"evidence": {
			"element": element_text(cp.element, obj),
			"kind": cp.element[0],
			"cuts": count(cp.paths),
			"sinks": sinks,
			"serviceAccounts": array.slice(tokens, 0, result.list_cap),
			"serviceAccountsTotal": count(tokens),
		},
	})
}

object_of(["binding", id]) := input.objects[id]

object_of(["role", id]) := input.objects[id]

object_of(["automount", key]) := k8s.service_accounts[key]

element_text(["automount", _], obj) := sprintf("automount of ServiceAccount %s", [k8s.key(obj.namespace, obj.name)])

element_text([kind, _], obj) := k8s.display(obj) if kind != "automount"

message(e, obj, n, sinks) := sprintf("Changing %s cuts %d attack paths (%s)", [
	element_text(e, obj),
	n,
	concat(", ", [sprintf("%d to %s", [sinks[s], s]) | some s in sort(object.keys(sinks))]),
])

severity(sinks) := "high" if sinks["cluster-admin"]

else := "medium"
