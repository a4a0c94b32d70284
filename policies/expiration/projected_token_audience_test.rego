package sascan.rules.expiration.projected_token_audience_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.expiration.projected_token_audience as rule

got(objs) := {[f.object, f.path] | some f in rule.findings with input as t.inv(objs)}

proj(token, mount) := t.pod("web", "p", {
	"containers": [{"name": "c", "image": "app", "volumeMounts": [{"name": "t", "mountPath": mount}]}],
	"volumes": [{"name": "t", "projected": {"sources": [{"serviceAccountToken": token}]}}],
})

# TV-SA023-1
test_no_audience_is_reported if {
	got([proj({"path": "token", "expirationSeconds": 3607}, "/tok")]) == {[0, "spec.volumes[0].projected.sources[0]"]}
}

# TV-SA023-2
test_audience_set_is_not_reported if {
	got([proj({"path": "vault-token", "expirationSeconds": 7200, "audience": "vault"}, "/tok")]) == set()
}

test_mounted_at_default_path_is_not_reported if {
	got([proj({"path": "token"}, "/var/run/secrets/kubernetes.io/serviceaccount")]) == set()
}
