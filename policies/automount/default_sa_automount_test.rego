package sascan.rules.automount.default_sa_automount_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.automount.default_sa_automount as rule

got(objs) := {[f.object, object.get(f, "severity", "base"), f.path] | some f in rule.findings with input as t.inv(objs)}

# TV-SA017-1
test_default_sa_without_opt_out if {
	got([t.sa("web", "default")]) == {[0, "base", "metadata.name"]}
}

test_default_sa_with_true if {
	got([object.union(t.sa("web", "default"), {"automountServiceAccountToken": true})]) == {[0, "base", "automountServiceAccountToken"]}
}

# TV-SA017-2
test_default_sa_opted_out if {
	got([object.union(t.sa("web", "default"), {"automountServiceAccountToken": false})]) == set()
}

# TV-SA017-3: a Namespace gets the controller's default SA.
test_namespace_without_default_sa_is_likely if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payments"}}
	fs := rule.findings with input as t.inv([ns, t.implicit_default("payments")])
	{[f.object, f.confidence] | some f in fs} == {[1, "likely"]}
}

test_implicit_default_without_namespace_object_is_not_reported if {
	got([t.implicit_default("web")]) == set()
}

test_other_sa_is_not_reported if {
	got([t.sa("web", "app")]) == set()
}
