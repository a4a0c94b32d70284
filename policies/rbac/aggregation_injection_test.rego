package sascan.rules.rbac.aggregation_injection_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.rbac.aggregation_injection as rule

got(objs) := {[f.object, f.severity] | some f in rule.findings with input as t.inv(objs)}

labelled(name, labels, rules) := object.union(t.cluster_role(name, rules), {"metadata": {"name": name, "labels": labels}})

# TV-SA015-1: view must not read Secrets.
test_secret_read_into_view if {
	got(array.concat(t.builtins, [labelled("crd-viewer", {"rbac.authorization.k8s.io/aggregate-to-view": "true"}, [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}])])) == {[5, "high"]}
}

# TV-SA015-2: CRD read access is what aggregation is for.
test_crd_rules_into_view if {
	got(array.concat(t.builtins, [labelled("widgets-viewer", {"rbac.authorization.k8s.io/aggregate-to-view": "true"}, [{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get", "list", "watch"]}])])) == set()
}

# TV-SA015-3: a custom aggregate's own rules field is ignored.
test_custom_aggregate if {
	monitoring := object.union(t.cluster_role("monitoring", []), {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate-to-monitoring": "true"}}]}})
	exec := labelled("monitoring-exec", {"rbac.example.com/aggregate-to-monitoring": "true"}, [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}])
	got([monitoring, exec]) == {[1, "high"]}
}

test_capability_already_present_is_not_reported if {
	# edit already reads Secrets: adding Secret read to edit adds nothing.
	got(array.concat(t.builtins, [labelled("more-secrets", {"rbac.authorization.k8s.io/aggregate-to-edit": "true"}, [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}])])) == set()
}

test_tier2_is_medium if {
	got(array.concat(t.builtins, [labelled("pf", {"rbac.authorization.k8s.io/aggregate-to-view": "true"}, [{"apiGroups": [""], "resources": ["pods/portforward"], "verbs": ["create"]}])])) == {[5, "medium"]}
}
