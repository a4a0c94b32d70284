package sascan.rules.automount.controller_sa_in_kube_system_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.automount.controller_sa_in_kube_system as rule

got(objs) := {[f.object, f.path] | some f in rule.findings with input as t.inv(objs)}

# TV-SA021-1
test_replicaset_controller if {
	got([t.deployment("kube-system", "helper", {"serviceAccountName": "replicaset-controller", "containers": [t.container("c")]})]) == {[0, "spec.template.spec.serviceAccountName"]}
}

# TV-SA021-2
test_coredns if {
	got([t.deployment("kube-system", "coredns", {"serviceAccountName": "coredns", "containers": [t.container("c")]})]) == set()
}

test_other_namespace if {
	got([t.deployment("tools", "helper", {"serviceAccountName": "replicaset-controller", "containers": [t.container("c")]})]) == set()
}
