# METADATA
# title: Token Secret bound to a missing or different ServiceAccount
# description: |
#   A ServiceAccount-token Secret whose kubernetes.io/service-account.name
#   annotation names a ServiceAccount that is not there, or whose
#   kubernetes.io/service-account.uid does not match it. In manifests the token
#   controller deletes such Secrets once applied (Low; an explicit UID also
#   shows the manifest was exported from a live cluster); live, a surviving
#   Secret means the controller is absent or lagging (Medium), and with
#   --service-account-lookup=false its token keeps authenticating (High).
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/configuration/secret/#service-account-token-secrets
# custom:
#   id: SA008
#   severity: low
#   family: tokens
#   remediation: |
#     Create the ServiceAccount first or remove the Secret; never copy
#     kubernetes.io/service-account.uid annotations between clusters.
#   example: |
#     # The ServiceAccount exists before its token Secret, in the same namespace.
#     apiVersion: v1
#     kind: ServiceAccount
#     metadata: {name: deployer, namespace: ci}
#     ---
#     apiVersion: v1
#     kind: Secret
#     metadata:
#       name: deployer-token
#       namespace: ci
#       annotations:
#         kubernetes.io/service-account.name: deployer
#     type: kubernetes.io/service-account-token
#   modes: [manifest, cluster]
package sascan.rules.tokens.orphaned_token_secret

import data.sascan.lib.flags
import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.result

findings contains f if {
	some s in k8s.objects("Secret")
	s.group == ""
	s.object.type == k8s.sa_token_secret_type
	name := object.get(k8s.annotations(s), k8s.sa_name_annotation, "")
	problem := problems(s, name)[_]
	f := result.finding(s, sprintf("metadata.annotations[%q]", [problem.annotation]), problem.message, {
		"severity": severity(problem.kind),
		"confidence": confidence(problem.kind),
		"evidence": {"serviceAccount": name, "problem": problem.kind},
	})
}

problems(s, name) := [p |
	some p in [missing(s, name), uid_mismatch(s, name), exported(s)]
	p != null
]

missing(s, name) := {"kind": "missing", "annotation": k8s.sa_name_annotation, "message": sprintf("Secret %s/%s is a token for ServiceAccount %q, which does not exist", [s.namespace, s.name, name])} if {
	name != "default"
	_absence_observable(s.namespace)
	not k8s.service_accounts[k8s.key(s.namespace, name)]
} else := null

uid_mismatch(s, name) := {"kind": "uid-mismatch", "annotation": k8s.sa_uid_annotation, "message": sprintf("Secret %s/%s names ServiceAccount %s with UID %s, but the ServiceAccount's UID is %s", [s.namespace, s.name, name, uid, sa_uid])} if {
	params.live
	uid := object.get(k8s.annotations(s), k8s.sa_uid_annotation, "")
	uid != ""
	sa_uid := k8s.service_accounts[k8s.key(s.namespace, name)].object.metadata.uid
	uid != sa_uid
} else := null

exported(s) := {"kind": "exported", "annotation": k8s.sa_uid_annotation, "message": sprintf("Secret %s/%s carries a ServiceAccount UID: it was exported from a live cluster", [s.namespace, s.name])} if {
	not params.live
	object.get(k8s.annotations(s), k8s.sa_uid_annotation, "") != ""
} else := null

# A manifest set is judged on what it holds (confidence says how sure); a
# live scan only where it listed the namespace.
_absence_observable(_) if not params.live

_absence_observable(ns) if params.complete_in(ns)

lookup_disabled if {
	some cp in flags.apiservers
	flags.bool(cp, "service-account-lookup", true) == false
}

severity("exported") := "low"

severity(kind) := "low" if {
	kind != "exported"
	not params.live
}

severity(kind) := "medium" if {
	kind != "exported"
	params.live
	not lookup_disabled
}

severity(kind) := "high" if {
	kind != "exported"
	params.live
	lookup_disabled
}

confidence("exported") := "certain"

confidence(kind) := "certain" if {
	kind != "exported"
	params.corpus_complete
}

confidence(kind) := "likely" if {
	kind != "exported"
	not params.corpus_complete
}
