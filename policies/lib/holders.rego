# METADATA
# title: Token holders
# description: |
#   Which workloads hold each ServiceAccount's token, and how: the token the
#   ServiceAccount admission mounts, a projected token volume, or a legacy
#   token Secret mounted or read into the environment. Read by
#   `sascan access`; built from lib/k8s pod_specs, the one definition of a
#   token-bearing container.
package sascan.lib.holders

import data.sascan.lib.k8s

# One entry per (workload, ServiceAccount, way).
_ways := ({[ps.saKey, ps.obj.id, "automounted token"] |
	some ps in k8s.pod_specs
	not ps.static
	some x in ps.tokenContainers
	x.auto
} | {[ps.saKey, ps.obj.id, "projected token volume"] |
	some ps in k8s.pod_specs
	not ps.static
	some x in ps.tokenContainers
	x.projected
}) | {[k8s.key(ps.obj.namespace, sa), ps.obj.id, sprintf("token Secret %s", [name])] |
	some ps in k8s.pod_specs
	not ps.static
	some name in k8s.referenced_secrets(ps)
	s := k8s.token_secrets[k8s.key(ps.obj.namespace, name)]
	sa := object.get(k8s.annotations(s), k8s.sa_name_annotation, "")
}

# by_sa[saKey]: [{"object": id, "ways": [...]}], by object id. Each
# grouping is an assignment in a rule body, where OPA indexes the
# comprehension by the variables it compares: an account with thousands of
# workloads does not walk every way once per workload.
by_sa := {sa: holders |
	some sa in {w[0] | some w in _ways}
	ids := {w[1] | some w in _ways; w[0] == sa}
	holders := [{"object": id, "ways": _ways_of[[sa, id]]} | some id in sort(ids)]
}

_ways_of := {[sa, id]: ways |
	some [sa, id] in {[w[0], w[1]] | some w in _ways}
	ways := sort([w[2] | some w in _ways; w[0] == sa; w[1] == id])
}
