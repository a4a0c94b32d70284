package sascan.rules.controlplane.legacy_lifecycle_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.controlplane.legacy_lifecycle as rule

v(minor) := {"kubeVersion": {"major": 1, "minor": minor, "known": true}}

got(inp, params) := {[f.severity, f.evidence.subCheck] | some f in rule.findings with input as object.union(inp, {"params": params})}

kcm := {"use-service-account-credentials": ["true"], "service-account-private-key-file": ["/sa.key"]}

# TV-SA031-1 (v1.29)
test_cleanup_gate_off_on_129 if {
	got(t.controller_manager(object.union(kcm, {"feature-gates": ["LegacyServiceAccountTokenCleanUp=false"]})), v(29)) == {["low", "a"]}
}

test_cleanup_gate_off_when_locked_is_info if {
	got(t.controller_manager(object.union(kcm, {"feature-gates": ["LegacyServiceAccountTokenCleanUp=false"]})), v(31)) == {["info", "a"]}
}

test_later_gate_setting_wins if {
	got(t.controller_manager(object.union(kcm, {"feature-gates": ["LegacyServiceAccountTokenCleanUp=false", "LegacyServiceAccountTokenCleanUp=true"]})), v(29)) == set()
}

test_tracking_gate_only_on_apiserver if {
	got(t.apiserver({"feature-gates": ["LegacyServiceAccountTokenTracking=false,Other=true"]}), v(27)) == {["low", "a"]}
	got(t.controller_manager({"feature-gates": ["LegacyServiceAccountTokenTracking=false"]}), v(27)) == set()
}

# TV-SA031-2
test_long_cleanup_period if {
	got(t.controller_manager(object.union(kcm, {"legacy-service-account-token-clean-up-period": ["17520h"]})), v(34)) == {["low", "b"]}
	got(t.controller_manager(object.union(kcm, {"legacy-service-account-token-clean-up-period": ["8760h"]})), v(34)) == set()
}

# TV-SA031-3 (live v1.30): token Secrets but no tracking ConfigMap.
test_missing_tracking_configmap if {
	s := object.union(t.token_secret("ops", "old-manual", "ops-bot"), {"metadata": {"creationTimestamp": "2023-05-01T00:00:00Z"}})
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}}
	{[f.object, f.severity] | some f in rule.findings with input as t.inv_with([s, ns], {"_mode": "cluster", "kubeVersion": {"major": 1, "minor": 30, "known": true}})} == {[1, "low"]}
	count(rule.findings) == 0 with input as t.inv_with([s, ns], {"_mode": "cluster", "kubeVersion": {"major": 1, "minor": 28, "known": true}})
}
