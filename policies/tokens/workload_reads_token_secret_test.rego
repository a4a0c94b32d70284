package sascan.rules.tokens.workload_reads_token_secret_test

import data.sascan.lib.inventory_test as t
import data.sascan.rules.tokens.workload_reads_token_secret as rule

got(objs) := {[f.object, f.severity, f.confidence, f.path] | some f in rule.findings with input as t.inv(objs)}

cronjob := {
	"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "sync", "namespace": "ci"},
	"spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
		"restartPolicy": "Never", "serviceAccountName": "ci-bot",
		"containers": [{"name": "s", "image": "alpine", "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "ci-bot-token", "key": "token"}}}]}],
	}}}}},
}

# TV-SA004-1
test_env_reference_to_token_secret if {
	got([t.token_secret("ci", "ci-bot-token", "ci-bot"), cronjob]) == {[1, "high", "certain", "spec.jobTemplate.spec.template.spec.containers[0].env[0]"]}
}

test_privileged_sa_is_critical if {
	objs := array.concat(t.builtins, [
		t.token_secret("ci", "ci-bot-token", "ci-bot"), cronjob,
		t.cluster_role_binding("admin", "cluster-admin", [{"kind": "ServiceAccount", "name": "ci-bot", "namespace": "ci"}]),
	])
	{[f.object, f.severity] | some f in rule.findings with input as t.inv(objs)} == {[6, "critical"]}
}

# TV-SA004-2: heuristic by name when the Secret is not in the scan.
test_heuristic_name if {
	p := t.pod("ci", "old", {"containers": [{"name": "c", "image": "alpine", "volumeMounts": [{"name": "t", "mountPath": "/t"}]}], "volumes": [{"name": "t", "secret": {"secretName": "ci-bot-token-x7k2q"}}]})
	got([p]) == {[0, "medium", "heuristic", "spec.volumes[0]"]}
}

# TV-SA004-3: with the Secret in the scan its type decides.
test_opaque_secret_with_token_like_name if {
	s := {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "api-token-abcde", "namespace": "ci"}, "stringData": {"k": "v"}}
	p := t.pod("ci", "p", {"containers": [{"name": "c", "image": "alpine", "envFrom": [{"secretRef": {"name": "api-token-abcde"}}]}]})
	got([s, p]) == set()
}

test_projected_secret_source if {
	p := t.pod("ci", "p", {
		"containers": [{"name": "c", "image": "alpine", "volumeMounts": [{"name": "v", "mountPath": "/v"}]}],
		"volumes": [{"name": "v", "projected": {"sources": [{"secret": {"name": "bot-token"}}]}}],
	})
	got([t.token_secret("ci", "bot-token", "bot"), p]) == {[1, "high", "certain", "spec.volumes[0]"]}
}

test_unmounted_volume_is_not_reported if {
	p := t.pod("ci", "p", {"containers": [t.container("c")], "volumes": [{"name": "v", "secret": {"secretName": "bot-token"}}]})
	got([t.token_secret("ci", "bot-token", "bot"), p]) == set()
}

# The container mounts another volume of the pod, not the token one.
test_volume_mounted_is_another_one if {
	p := t.pod("ci", "p", {
		"containers": [{"name": "c", "image": "alpine", "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}]}],
		"volumes": [{"name": "v", "secret": {"secretName": "bot-token"}}, {"name": "config", "configMap": {"name": "app"}}],
	})
	got([t.token_secret("ci", "bot-token", "bot"), p]) == set()
}

# envFrom of an init container, and a token Secret of the same name in
# another namespace, which does not count.
test_env_from_in_init_container if {
	p := t.pod("ci", "p", {
		"initContainers": [{"name": "i", "image": "alpine", "envFrom": [{"secretRef": {"name": "bot-token"}}]}],
		"containers": [t.container("c")],
	})
	got([t.token_secret("ci", "bot-token", "bot"), t.token_secret("other", "bot-token", "bot"), p]) == {[2, "high", "certain", "spec.initContainers[0].envFrom[0]"]}
	got([t.token_secret("other", "bot-token", "bot"), p]) == set()
}
