package sascan.rules.tokens.enforce_mountable_secrets_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.enforce_mountable_secrets as rule

sa(value) := object.union(t.sa("x", "a"), {"metadata": {"annotations": {"kubernetes.io/enforce-mountable-secrets": value}}})

got(objs) := {[f.object, f.evidence.effective] | some f in rule.findings with input as t.inv(objs)}

# TV-SA010-1: ParseBool("yes") fails.
test_yes_is_not_enforced if {
	got([sa("yes")]) == {[0, false]}
}

# TV-SA010-2
test_true_is_enforced if {
	got([sa("True")]) == {[0, true]}
	got([sa("1")]) == {[0, true]}
}

test_absent if {
	got([t.sa("x", "a")]) == set()
}
