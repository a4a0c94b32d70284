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
