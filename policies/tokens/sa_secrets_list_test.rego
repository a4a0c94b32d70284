package sascan.rules.tokens.sa_secrets_list_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.sa_secrets_list as rule

got(objs) := {[f.object, f.severity, f.path] | some f in rule.findings with input as t.inv(objs)}

# TV-SA009-1
test_secrets_listed_is_info if {
	got([object.union(t.sa("web", "app"), {"secrets": [{"name": "app-token-zz9xy"}]})]) == {[0, "info", "secrets"]}
}

# TV-SA009-2
test_no_secrets_no_finding if {
	got([t.sa("web", "app")]) == set()
}

test_non_token_secret_listed_is_low if {
	objs := [
		object.union(t.sa("web", "app"), {"secrets": [{"name": "creds"}]}),
		{"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "creds", "namespace": "web"}},
	]
	got(objs) == {[0, "low", "secrets"]}
}

test_mounted_token_secret_listed_is_low if {
	objs := [
		object.union(t.sa("web", "app"), {"secrets": [{"name": "app-token"}]}),
		t.token_secret("web", "app-token", "app"),
		t.pod("web", "p", {"containers": [t.container("c")], "volumes": [{"name": "v", "secret": {"secretName": "app-token"}}]}),
	]
	got(objs) == {[0, "low", "secrets"]}
}

# A pod in another namespace that mounts a Secret of the same name does not
# read this one.
test_token_secret_mounted_elsewhere_is_info if {
	objs := [
		object.union(t.sa("web", "app"), {"secrets": [{"name": "app-token"}]}),
		t.token_secret("web", "app-token", "app"),
		t.pod("batch", "p", {"containers": [t.container("c")], "volumes": [{"name": "v", "secret": {"secretName": "app-token"}}]}),
	]
	got(objs) == {[0, "info", "secrets"]}
}
