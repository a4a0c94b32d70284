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
#   token and sink, on the shortest route (at most three tokens taken on the
#   way); a token that holds the sink's grant itself is SA013's finding.
#   Critical for cluster-admin, High for the others.
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
	t := token[p.serviceAccount]
	f := result.finding(t.anchor, "", message(p, t.held), {
		"key": p.sink,
		"severity": severity[p.sink],
		"confidence": "likely",
		"evidence": {
			"sink": p.sink,
			"serviceAccount": p.serviceAccount,
			"hops": count(p.tokens) - 1,
			"tokens": p.tokens,
			"steps": paths.steps(p.path, p.sink),
			"sources": t.sources,
			"sourcesTotal": t.sourcesTotal,
		},
		# The way the path goes, in order: where the token is taken, then
		# the binding of each step.
		"related": array.concat(t.related, [{"object": id, "path": ""} | some id in p.bindings]),
	})
}

# What the findings of one token share, computed once per token rather
# than once per sink it reaches.
token[key] := {
	"anchor": anchor(key, sources),
	"held": held(sources),
	"sources": [source_text(s) | some s in array.slice(sources, 0, result.list_cap)],
	"sourcesTotal": count(sources),
	"related": [{"object": sources[0].object, "path": ""}],
} if {
	some key, sources in paths.token_sources
}

severity := {"cluster-admin": "critical", "secrets": "high", "node-escape": "high", "token-minting": "high"}

# On the ServiceAccount when the scan has it, else where its token is taken.
anchor(key, _) := k8s.service_accounts[key]

anchor(key, sources) := input.objects[sources[0].object] if not k8s.service_accounts[key]

message(p, held) := sprintf("A token of ServiceAccount %s (%s) reaches %s by taking %d more token(s): %s", [
	p.serviceAccount,
	held,
	p.sink,
	count(p.tokens) - 1,
	concat(" -> ", p.tokens),
])

held(sources) := sprintf("held by %s", [k8s.display(input.objects[sources[0].object])]) if count(sources) == 1

else := sprintf("held by %s and %d more", [k8s.display(input.objects[sources[0].object]), count(sources) - 1])

source_text(s) := sprintf("%s (%s)", [k8s.display(input.objects[s.object]), concat(", ", s.ways)])
