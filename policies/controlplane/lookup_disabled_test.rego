package sascan.rules.controlplane.lookup_disabled_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.controlplane.lookup_disabled as rule

got(flags) := {[f.object, f.path] | some f in rule.findings with input as t.apiserver(flags)}

# TV-SA027-1
test_lookup_false if {
	got({"service-account-lookup": ["false"]}) == {[0, "spec.containers[0].command[1]"]}
}

# TV-SA027-2 and the default.
test_lookup_true_or_absent if {
	got({"service-account-lookup": ["true"]}) == set()
	got({}) == set()
}

test_last_occurrence_wins if {
	got({"service-account-lookup": ["false", "true"]}) == set()
	got({"service-account-lookup": ["true", "0"]}) == {[0, "spec.containers[0].command[2]"]}
}
