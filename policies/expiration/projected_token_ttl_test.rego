package sascan.rules.expiration.projected_token_ttl_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.expiration.projected_token_ttl as rule

got(objs) := {[f.object, f.severity, f.path] | some f in rule.findings with input as t.inv(objs)}

proj(token) := t.pod("web", "p", {
	"automountServiceAccountToken": false,
	"containers": [{"name": "c", "image": "app", "volumeMounts": [{"name": "vt", "mountPath": "/var/run/secrets/tokens"}]}],
	"volumes": [{"name": "vt", "projected": {"sources": [{"configMap": {"name": "x"}}, {"serviceAccountToken": token}]}}],
})

# TV-SA022-1
test_two_days_is_medium if {
	got([proj({"path": "vault-token", "expirationSeconds": 172800, "audience": "vault"})]) == {[0, "medium", "spec.volumes[0].projected.sources[1]"]}
}

# TV-SA022-2
test_two_hours_is_low if {
	got([proj({"path": "vault-token", "expirationSeconds": 7200, "audience": "vault"})]) == {[0, "low", "spec.volumes[0].projected.sources[1]"]}
}

# TV-SA022-3: 3607 without audience triggers the one-year extension.
test_magic_3607_is_low if {
	fs := rule.findings with input as t.inv([proj({"path": "token", "expirationSeconds": 3607})])
	{[f.severity, contains(f.message, "one year")] | some f in fs} == {["low", true]}
}

# A mirror pod runs with no ServiceAccount credential: its projected token
# is not judged.
test_mirror_pod_is_excluded if {
	p := proj({"path": "vault-token", "expirationSeconds": 172800, "audience": "vault"})
	got([object.union(p, {"metadata": {"annotations": {"kubernetes.io/config.mirror": "abc"}}})]) == set()
}

# TV-SA022-4: the admission-injected volume of a live Pod.
test_injected_volume_is_excluded if {
	p := t.pod("web", "p", {
		"serviceAccountName": "app",
		"containers": [{"name": "c", "image": "app", "volumeMounts": [{"name": "kube-api-access-7x2bq", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}]}],
		"volumes": [{"name": "kube-api-access-7x2bq", "projected": {"defaultMode": 420, "sources": [
			{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
			{"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
		]}}],
	})
	got([p]) == set()
}

test_omitted_expiration_is_3600_and_fine if {
	got([proj({"path": "t", "audience": "vault"})]) == set()
}

test_exactly_one_day_is_low if {
	got([proj({"path": "t", "audience": "vault", "expirationSeconds": 86400})]) == {[0, "low", "spec.volumes[0].projected.sources[1]"]}
}

test_out_of_bounds_is_info if {
	got([proj({"path": "t", "audience": "vault", "expirationSeconds": 300})]) == {[0, "info", "spec.volumes[0].projected.sources[1]"]}
	got([proj({"path": "t", "audience": "vault", "expirationSeconds": 5000000000})]) == {[0, "info", "spec.volumes[0].projected.sources[1]"]}
}

test_configured_thresholds if {
	fs := rule.findings with input as t.inv_with([proj({"path": "t", "audience": "vault", "expirationSeconds": 7200})], {"tokenTTL": {"lowSeconds": 7200, "mediumSeconds": 86400}})
	count(fs) == 0
}
