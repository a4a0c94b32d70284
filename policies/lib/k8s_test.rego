package sascan.lib.k8s_test

import data.sascan.lib.inventory_test as t
import data.sascan.lib.k8s

# The effective ServiceAccount name.
test_sa_name_precedence if {
	k8s.sa_name({"serviceAccountName": "new", "serviceAccount": "old"}) == "new"
	k8s.sa_name({"serviceAccount": "old"}) == "old"
	k8s.sa_name({"serviceAccountName": ""}) == "default"
	k8s.sa_name({}) == "default"
}

# Pod true overrides SA false; Pod false overrides SA true; unset SA
# and unset Pod is true.
test_automount_precedence if {
	objs := [
		object.union(t.sa("web", "off"), {"automountServiceAccountToken": false}),
		object.union(t.sa("web", "on"), {"automountServiceAccountToken": true}),
		t.pod("web", "a", {"serviceAccountName": "off", "automountServiceAccountToken": true, "containers": [t.container("c")]}),
		t.pod("web", "b", {"serviceAccountName": "on", "automountServiceAccountToken": false, "containers": [t.container("c")]}),
		t.pod("web", "c", {"serviceAccountName": "off", "containers": [t.container("c")]}),
		t.pod("web", "d", {"serviceAccountName": "unset", "containers": [t.container("c")]}),
	]
	results := {ps.obj.name: ps.automount | some ps in k8s.pod_specs} with input as t.inv(objs)
	results == {"a": true, "b": false, "c": false, "d": true}
}

# a container with its own mount at the default path gets no token.
test_automount_is_per_container if {
	objs := [t.pod("web", "p", {
		"containers": [
			{"name": "has", "image": "x", "volumeMounts": [{"name": "own", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]},
			{"name": "gets", "image": "x"},
		],
		"initContainers": [{"name": "init", "image": "x"}], "ephemeralContainers": [{"name": "debug", "image": "x"}],
	})]
	{x.c.name | some x in k8s.pod_specs[0].autoTokenContainers} == {"gets", "init"} with input as t.inv(objs)
}

test_admission_disabled_means_no_automount if {
	apiserver := object.union(
		t.pod("kube-system", "kube-apiserver", {"containers": [{"name": "kube-apiserver", "image": "k8s", "command": ["kube-apiserver", "--disable-admission-plugins=DefaultStorageClass,ServiceAccount"]}]}),
		{"metadata": {"labels": {"tier": "control-plane", "component": "kube-apiserver"}}},
	)
	inp := t.inv([t.pod("web", "p", {"containers": [t.container("c")]}), apiserver])
	count(k8s.pod_specs[0].autoTokenContainers) == 0 with input as inp
	count(k8s.pod_specs[0].autoTokenContainers) == 1 with input as t.inv([t.pod("web", "p", {"containers": [t.container("c")]})])
}

test_static_control_plane_pod_is_excluded if {
	p := object.union(t.pod("kube-system", "etcd-node1", {"containers": [t.container("etcd")]}), {"metadata": {"labels": {"tier": "control-plane", "component": "etcd"}}})
	k8s.pod_specs[0].static with input as t.inv([p])
	m := object.union(t.pod("web", "m", {"containers": [t.container("c")]}), {"metadata": {"annotations": {"kubernetes.io/config.mirror": "abc"}}})
	k8s.pod_specs[0].static with input as t.inv([m])
	not k8s.pod_specs[0].static with input as t.inv([t.pod("kube-system", "x", {"containers": [t.container("c")]})])
}

test_cronjob_pod_spec_path if {
	cj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "x"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"serviceAccountName": "bot", "containers": []}}}}}}
	k8s.pod_specs[0].path == "spec.jobTemplate.spec.template.spec" with input as t.inv([cj])
	k8s.sa_name(k8s.pod_specs[0].spec) == "bot" with input as t.inv([cj])
}

test_last_definition_wins if {
	objs := [object.union(t.sa("a", "s"), {"automountServiceAccountToken": true}), object.union(t.sa("a", "s"), {"automountServiceAccountToken": false})]
	k8s.service_accounts["a/s"].id == 1 with input as t.inv(objs)
}

# objects_by_key finds the core object of the key, not a same-named kind of
# another API group.
test_objects_by_key_is_core_only if {
	core := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "web"}, "data": {"from": "core"}}
	other := {"apiVersion": "example.com/v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "web"}, "data": {"from": "example"}}
	o := k8s.objects_by_key("ConfigMap", "web/c") with input as t.inv([other, core, other])
	o.object.data.from == "core"
	not k8s.objects_by_key("ConfigMap", "web/c") with input as t.inv([other])
}
