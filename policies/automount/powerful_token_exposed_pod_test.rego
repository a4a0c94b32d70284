package sascan.rules.automount.powerful_token_exposed_pod_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.automount.powerful_token_exposed_pod as rule

got(objs) := {[f.object, f.severity] | some f in rule.findings with input as t.inv(objs)}

agent_rbac := [
	t.sa("ops", "agent"),
	t.cluster_role("secret-reader", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]),
	t.cluster_role_binding("agent", "secret-reader", [{"kind": "ServiceAccount", "name": "agent", "namespace": "ops"}]),
]

daemonset(automount) := {
	"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "ops"},
	"spec": {"selector": {"matchLabels": {"a": "g"}}, "template": {"metadata": {"labels": {"a": "g"}}, "spec": object.union(
		{"serviceAccountName": "agent", "containers": [{"name": "c", "image": "agent", "securityContext": {"privileged": true}}]},
		automount,
	)}},
}

# TV-SA019-1: cluster-wide Secret list is T0; privileged DaemonSet.
test_privileged_daemonset_is_critical if {
	got(array.concat(agent_rbac, [daemonset({})])) == {[3, "critical"]}
}

# TV-SA019-2: no token, no finding.
test_automount_off if {
	got(array.concat(agent_rbac, [daemonset({"automountServiceAccountToken": false})])) == set()
}

# TV-SA019-3: T1 namespaced, hostNetwork.
test_host_network_t1_is_high if {
	objs := [
		t.sa("build", "deployer"),
		t.role("build", "pods", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
		t.role_binding("build", "pods", "Role", "pods", [t.sa_subject("deployer")]),
		t.deployment("build", "runner", {"serviceAccountName": "deployer", "hostNetwork": true, "containers": [t.container("c")]}),
	]
	got(objs) == {[3, "high"]}
}

test_load_balancer_exposure if {
	objs := [
		t.sa("build", "deployer"),
		t.role("build", "pods", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
		t.role_binding("build", "pods", "Role", "pods", [t.sa_subject("deployer")]),
		t.deployment("build", "runner", {"serviceAccountName": "deployer", "containers": [t.container("c")]}),
		{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lb", "namespace": "build"}, "spec": {"type": "LoadBalancer", "selector": {"a": "b"}}},
	]
	got(objs) == {[3, "high"]}
}

test_cluster_ip_is_not_exposure if {
	objs := [
		t.sa("build", "deployer"),
		t.role("build", "pods", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
		t.role_binding("build", "pods", "Role", "pods", [t.sa_subject("deployer")]),
		t.deployment("build", "runner", {"serviceAccountName": "deployer", "containers": [t.container("c")]}),
		{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc", "namespace": "build"}, "spec": {"selector": {"a": "b"}}},
	]
	got(objs) == set()
}

test_weak_sa_is_not_reported if {
	got([t.sa("ops", "agent"), daemonset({})]) == set()
}

deployer_with(spec) := [
	t.sa("build", "deployer"),
	t.role("build", "pods", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
	t.role_binding("build", "pods", "Role", "pods", [t.sa_subject("deployer")]),
	t.deployment("build", "runner", object.union({"serviceAccountName": "deployer"}, spec)),
]

exposure(objs) := {e | some f in rule.findings with input as t.inv(objs); some e in f.evidence.exposure}

# Added capabilities count when dangerous, whatever their case; a hostPath
# volume and an init container's capabilities count too.
test_dangerous_capabilities_and_host_path if {
	exposure(deployer_with({
		"volumes": [{"name": "root", "hostPath": {"path": "/"}}],
		"initContainers": [object.union(t.container("i"), {"securityContext": {"capabilities": {"add": ["sys_ptrace", "CHOWN"]}}})],
		"containers": [object.union(t.container("c"), {"securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}})],
	})) == {"adds capability NET_ADMIN", "adds capability SYS_PTRACE", "mounts a hostPath"}
}

test_harmless_capabilities_are_no_exposure if {
	got(deployer_with({"containers": [object.union(t.container("c"), {"securityContext": {"capabilities": {"add": ["CHOWN", "NET_BIND_SERVICE"]}}})]})) == set()
}

# What exposes the deployment of deployer_objs, by finding.
exposed_by(objs) := {e | some f in rule.findings with input as t.inv(array.concat(deployer_objs, objs)); e := f.evidence.exposure}

deployer_objs := [
	t.sa("build", "deployer"),
	t.role("build", "pods", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}]),
	t.role_binding("build", "pods", "Role", "pods", [t.sa_subject("deployer")]),
	object.union(t.deployment("build", "runner", {"serviceAccountName": "deployer", "containers": [t.container("c")]}), {"spec": {"template": {"metadata": {"labels": {"a": "b", "tier": "web"}}}}}),
]

service(ns, name, spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns}, "spec": spec}

ingress(ns, name, svc) := {
	"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name, "namespace": ns},
	"spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": svc, "port": {"number": 80}}}}]}}]},
}

# An Ingress exposes the pods of the Service it routes to, in its own
# namespace only.
test_ingress_exposure if {
	exposed_by([service("build", "web", {"selector": {"tier": "web"}}), ingress("build", "www", "web")]) == {["is exposed by Ingress www"]}
	exposed_by([service("build", "web", {"selector": {"tier": "web"}}), ingress("other", "www", "web")]) == set()
	exposed_by([service("build", "web", {"selector": {"tier": "api"}}), ingress("build", "www", "web")]) == set()
}

# A selector matches only when every one of its labels does, whichever
# label the Service is looked up by.
test_selector_needs_every_label if {
	exposed_by([service("build", "np", {"type": "NodePort", "selector": {"a": "b", "tier": "web"}})]) == {["is exposed by NodePort Service np"]}
	exposed_by([service("build", "np", {"type": "NodePort", "selector": {"a": "b", "tier": "api"}})]) == set()
	exposed_by([service("build", "np", {"type": "NodePort", "selector": {"a": "x", "tier": "web"}})]) == set()
	exposed_by([service("other", "np", {"type": "NodePort", "selector": {"a": "b"}})]) == set()
	exposed_by([service("build", "np", {"type": "NodePort", "selector": {}})]) == set()
}

# Only the last definition of a Service counts (kubectl apply replaces the
# earlier), and only core Services select pods.
test_replaced_and_foreign_services if {
	np := service("build", "np", {"type": "NodePort", "selector": {"tier": "web"}})
	cluster_ip := service("build", "np", {"selector": {"tier": "web"}})
	exposed_by([np, cluster_ip]) == set()
	exposed_by([cluster_ip, np]) == {["is exposed by NodePort Service np"]}
	exposed_by([object.union(np, {"apiVersion": "example.com/v1"})]) == set()
	exposed_by([cluster_ip, ingress("build", "www", "np")]) == {["is exposed by Ingress www"]}
	exposed_by([object.union(cluster_ip, {"apiVersion": "example.com/v1"}), ingress("build", "www", "np")]) == set()
}
