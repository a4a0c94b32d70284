package sascan.rules.automount.deprecated_sa_field_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.automount.deprecated_sa_field as rule

got(objs) := {[f.object, f.severity, f.path] | some f in rule.findings with input as t.inv(objs)}

# TV-SA020-1
test_only_deprecated_field_is_low if {
	got([t.pod("web", "p", {"serviceAccount": "legacy-sa", "containers": [t.container("c")]})]) == {[0, "low", "spec.serviceAccount"]}
}

# TV-SA020-2
test_differing_fields_is_medium if {
	fs := rule.findings with input as t.inv([t.pod("web", "p", {"serviceAccount": "reader", "serviceAccountName": "admin-sa", "containers": [t.container("c")]})])
	{[f.severity, f.evidence.effective] | some f in fs} == {["medium", "admin-sa"]}
}

# TV-SA020-3
test_equal_fields_is_not_reported if {
	got([t.pod("web", "p", {"serviceAccount": "app", "serviceAccountName": "app", "containers": [t.container("c")]})]) == set()
}

test_template_path if {
	got([t.deployment("web", "d", {"serviceAccount": "x", "containers": [t.container("c")]})]) == {[0, "low", "spec.template.spec.serviceAccount"]}
}
