package sascan.rules.controlplane.shared_controller_credentials_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.controlplane.shared_controller_credentials as rule

got(flags) := {f.object | some f in rule.findings with input as t.controller_manager(flags)}

# TV-SA030-1: absent means false.
test_absent if {
	got({"service-account-private-key-file": ["/sa.key"]}) == {0}
}

# TV-SA030-2
test_true if {
	got({"use-service-account-credentials": ["true"]}) == set()
}

test_false_and_garbage if {
	got({"use-service-account-credentials": ["false"]}) == {0}
	got({"use-service-account-credentials": ["yes"]}) == {0}
}

test_apiserver_is_not_checked if {
	count(rule.findings) == 0 with input as t.apiserver({})
}
