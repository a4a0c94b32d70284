package sascan.rules.controlplane.admission_disabled_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.controlplane.admission_disabled as rule

got(flags) := {[f.object, f.path] | some f in rule.findings with input as t.apiserver(flags)}

# TV-SA029-1
test_disabled if {
	got({"disable-admission-plugins": ["ServiceAccount,DefaultStorageClass"]}) == {[0, "spec.containers[0].command[1]"]}
}

# TV-SA029-2: not enabling it explicitly is fine.
test_not_in_enable_list_is_fine if {
	got({"enable-admission-plugins": ["NodeRestriction"]}) == set()
	got({"disable-admission-plugins": ["DefaultStorageClass"]}) == set()
}
