package sascan.lib.allowlist_test

import data.sascan.lib.allowlist
import data.sascan.lib.inventory_test as t

test_bootstrap_binding if {
	inp := t.inv([object.union(t.cluster_role_binding("system:discovery", "system:discovery", []), {"metadata": {"annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}}})])
	allowlist.reason(inp.objects[0]) == "bootstrap RBAC object" with input as inp
}

test_controller_sa if {
	inp := t.inv([t.sa("kube-system", "replicaset-controller"), t.sa("web", "replicaset-controller")])
	allowlist.reason(inp.objects[0]) == "built-in controller ServiceAccount" with input as inp
	not allowlist.reason(inp.objects[1]) with input as inp
}

test_configured_entries if {
	inp := t.inv_with([t.sa("kube-system", "cilium"), t.sa("web", "cilium")], {"systemAllowList": [{"kind": "ServiceAccount", "namespace": "kube-system", "name": "cil*"}]})
	allowlist.reason(inp.objects[0]) == "systemAllowList: ServiceAccount kube-system/cil*" with input as inp
	not allowlist.reason(inp.objects[1]) with input as inp
}

# "*" matches dotted names, and an omitted field is "*".
test_globs_match_dotted_names if {
	inp := t.inv_with(
		[t.sa("cert-manager.io", "ca.injector"), t.sa("web", "app")],
		{"systemAllowList": [{"kind": "ServiceAccount", "namespace": "*.io", "name": "ca*"}, {"namespace": "web.*"}]},
	)
	allowlist.reason(inp.objects[0]) == "systemAllowList: ServiceAccount *.io/ca*" with input as inp
	not allowlist.reason(inp.objects[1]) with input as inp
}

# A binding to a built-in controller's ServiceAccount is allow-listed like
# the account; one that also names another subject is not.
test_binding_to_controller_sa if {
	objs := [
		t.cluster_role_binding("hpa", "view", [{"kind": "ServiceAccount", "name": "horizontal-pod-autoscaler", "namespace": "kube-system"}]),
		t.cluster_role_binding("mixed", "view", [
			{"kind": "ServiceAccount", "name": "horizontal-pod-autoscaler", "namespace": "kube-system"},
			{"kind": "ServiceAccount", "name": "app", "namespace": "web"},
		]),
	]
	inp := t.inv(objs)
	allowlist.reason(inp.objects[0]) == "built-in controller ServiceAccount" with input as inp
	not allowlist.reason(inp.objects[1]) with input as inp
}
