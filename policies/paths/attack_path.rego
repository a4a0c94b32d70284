# METADATA
# title: A stolen token leads to a sink through other tokens
# description: |
#   Follows a ServiceAccount token from where it can be taken (a workload
#   that mounts it, every node for a DaemonSet's token, a legacy token
#   Secret) through the tokens its grants let an attacker take in turn
#   (creating pods or changing workload controllers, minting tokens or
#   impersonating in a namespace gives any token there; reading Secrets gives
#   their legacy tokens; exec, ephemeral containers or an image swap give the
#   tokens of running pods) to a sink: a tier-0 grant (cluster-admin), reading Secrets
#   cluster-wide or in kube-system, creating pods (or their controllers)
#   where no Pod Security level stops a privileged one (node escape), or minting tokens. One finding per
#   place the token can be taken and sink, on that place's line, for the
#   route that takes the fewest other tokens (at most three); a token that
#   holds the sink's grant itself is SA013's finding. A route that ends at a
#   binding which is several sinks is reported for the first of
#   cluster-admin, secrets, node-escape, token-minting. Critical for
#   cluster-admin, High for the others.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks
# - ref: https://kubernetes.io/docs/concepts/security/service-accounts/
# custom:
#   id: SA033
#   severity: high
#   family: paths
#   remediation: |
#     Cut the route at its cheapest step: drop the grant that lets the first token take the
#     next (often a binding to a ServiceAccount group, or create-pods in a namespace that holds
#     powerful accounts), stop mounting the token where the workload does not call the API,
#     and keep powerful ServiceAccounts in namespaces that untrusted accounts cannot create
#     pods in. SA034 names the steps that cut the most routes.
#   example: |
#     # The CI account deploys into "apps" only; the powerful operator lives in its own
#     # namespace, where CI cannot create pods.
#     apiVersion: rbac.authorization.k8s.io/v1
#     kind: RoleBinding
#     metadata: {name: ci-deploy, namespace: apps}
#     roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
#     subjects:
#       - {kind: ServiceAccount, name: ci, namespace: ci}
#   modes: [manifest, cluster]
package sascan.rules.paths.attack_path

import data.sascan.lib.k8s
import data.sascan.lib.paths
import data.sascan.lib.result

findings contains f if {
	some p in paths.reported
	steps := paths.steps(p.path, p.sink)
	bindings := [{"object": id, "path": ""} | some id in p.bindings]
	some src in paths.token_sources[p.serviceAccount]
	o := input.objects[src.object]
	f := result.finding(o, "", message(p, o, src.ways), {
		"key": p.sink,
		"severity": severity[p.sink],
		"confidence": "likely",
		"evidence": {
			"sink": p.sink,
			"serviceAccount": p.serviceAccount,
			"hops": count(p.tokens) - 1,
			"tokens": p.tokens,
			"steps": steps,
			"sources": [sprintf("%s (%s)", [k8s.display(o), concat(", ", src.ways)])],
		},
		# The way the path goes, in order: where the token is taken, then
		# the binding of each step.
		"related": array.concat([{"object": src.object, "path": ""}], bindings),
	})
}

severity := {"cluster-admin": "critical", "secrets": "high", "node-escape": "high", "token-minting": "high"}

message(p, o, ways) := sprintf("%s holds a token of ServiceAccount %s (%s) that reaches %s by taking %d more token(s): %s", [
	k8s.display(o),
	p.serviceAccount,
	concat(", ", ways),
	p.sink,
	count(p.tokens) - 1,
	concat(" -> ", p.tokens),
])
