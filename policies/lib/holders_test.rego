package sascan.lib.holders_test

import data.sascan.lib.holders
import data.sascan.lib.inventory_test as t

test_each_way_of_holding_a_token if {
	objs := [
		t.sa("web", "app"),
		t.token_secret("web", "ci-token", "ci"),
		# The automounted token of app, and ci's legacy token through env.
		t.deployment("web", "d", {"serviceAccountName": "app", "containers": [object.union(t.container("c"), {"env": [{"name": "T", "valueFrom": {"secretKeyRef": {"name": "ci-token", "key": "token"}}}]})]}),
		# A projected token only (automount off).
		t.pod("web", "p", {
			"serviceAccountName": "app", "automountServiceAccountToken": false,
			"containers": [object.union(t.container("c"), {"volumeMounts": [{"name": "tok", "mountPath": "/t"}]})],
			"volumes": [{"name": "tok", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}],
		}),
		# No token at all.
		t.pod("web", "none", {"serviceAccountName": "app", "automountServiceAccountToken": false, "containers": [t.container("c")]}),
	]
	got := holders.by_sa with input as t.inv(objs)
	got == {
		"web/app": [{"object": 2, "ways": ["automounted token"]}, {"object": 3, "ways": ["projected token volume"]}],
		"web/ci": [{"object": 2, "ways": ["token Secret ci-token"]}],
	}
}

# A workload that holds one account's token two ways lists both, once.
test_two_ways_of_one_workload if {
	objs := [
		t.sa("web", "app"),
		t.pod("web", "p", {
			"serviceAccountName": "app",
			"containers": [object.union(t.container("c"), {"volumeMounts": [{"name": "tok", "mountPath": "/t"}]}), t.container("d")],
			"volumes": [{"name": "tok", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}],
		}),
	]
	got := holders.by_sa with input as t.inv(objs)
	got == {"web/app": [{"object": 1, "ways": ["automounted token", "projected token volume"]}]}
}
