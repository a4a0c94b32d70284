package sascan.rules.rbac.issuer_discovery_unauthenticated_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.rbac.issuer_discovery_unauthenticated as rule

got(objs) := {[f.object, f.path] | some f in rule.findings with input as t.inv(objs)}

group(name) := {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": name}

# TV-SA032-1
test_unauthenticated_discovery if {
	got([t.cluster_role_binding("oidc-reviewer", "system:service-account-issuer-discovery", [group("system:unauthenticated")])]) == {[0, "subjects[0]"]}
}

# TV-SA032-2: the bootstrap binding.
test_bootstrap_binding if {
	got([t.cluster_role_binding("system:service-account-issuer-discovery", "system:service-account-issuer-discovery", [group("system:serviceaccounts")])]) == set()
}
