# METADATA
# title: Bound token used after its pod was gone
# description: |
#   The audit logs given with --audit-log hold requests that authenticated
#   with a bound token whose pod claims (user.extra
#   authentication.kubernetes.io/pod-name and pod-uid) name a pod that no
#   longer existed when the request was made: another pod of the same name,
#   with another UID, held the name earlier than the token's last use (pod
#   names are unique in a namespace at any moment). The proof is either the
#   scan, which holds that pod (its metadata.uid and creationTimestamp), or
#   the log itself, which holds requests with the other pod's token from an
#   earlier time. A token outliving its pod is a copy that left the pod, a
#   leaked or stolen token being replayed.
#
#   What the log can show: kube-apiserver checks a bound token's pod on
#   every request and refuses it once the pod is gone, has another UID, or
#   its deletion (grace period included) is more than a minute past. A
#   refused request is written as a 401 with no user and no claims, so the
#   log cannot tie it to a token or an account and this rule cannot report
#   it. What it can report is a replay the API server accepted anyway: an
#   API server whose check was skipped or fooled (a stale pod cache, or a
#   token authenticated by a component that does not check the pod). Uses
#   within a minute of the pod's end are left out: kube-apiserver caches a
#   successful authentication for 10 s and its pod cache lags. Requests
#   made before the pod went away are ordinary: a pod that is absent from
#   the scan, with no other pod of its name in the scan or the log, was
#   most likely deleted after its last request (the log covers a time
#   before the scan), so its absence is no verdict, in manifests or live.
#   Node claims (authentication.kubernetes.io/node-name) are not judged:
#   the API server does not check the node of a pod-bound token, and the
#   scan does not list Nodes. Reported on the pod that holds the name now
#   when the scan holds it, else on the ServiceAccount.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-tokens
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/authentication/#service-account-tokens
# custom:
#   id: SA040
#   severity: high
#   family: tokens
#   remediation: |
#     Treat the token as stolen: find the client by the source IPs and user agents in the
#     evidence, delete and recreate the ServiceAccount (every token it issued stops working),
#     and check the API servers: each must run the ServiceAccount token authenticator with
#     its pod lookups (kube-apiserver always does; a proxy or webhook that accepts the JWT
#     itself does not).
#   example: |
#     # Nothing in the manifest: tokens stay in their pod. Keep them short-lived and
#     # bound, as the kubelet's projected token is.
#     apiVersion: v1
#     kind: Pod
#     metadata: {name: api-0, namespace: web}
#     spec:
#       serviceAccountName: api
#       containers:
#         - {name: api, image: registry.example/api:2.1}
#   modes: [manifest, cluster]
package sascan.rules.tokens.bound_token_outlived_pod

import data.sascan.lib.audit
import data.sascan.lib.k8s
import data.sascan.lib.result

# How long after a pod's end a use is still kube-apiserver's own doing: it
# caches a successful authentication for 10 s, its pod cache lags, and the
# clocks of several API servers differ.
margin_ns := 60 * 1000000000

# On the pod that holds the name now.
findings contains f if {
	some [key, c] in _outlived
	[ns, _] := split(key, "/")
	pod := k8s.objects_by_key("Pod", k8s.key(ns, c.pod))
	g := gone(ns, c)
	f := result.finding(pod, "", message(key, c, g), {"confidence": g.confidence, "evidence": evidence(key, c, g)})
}

# On the ServiceAccount when the scan holds no pod of that name.
findings contains f if {
	some [key, c] in _outlived
	[ns, _] := split(key, "/")
	not k8s.objects_by_key("Pod", k8s.key(ns, c.pod))
	sa := k8s.service_accounts[key]
	g := gone(ns, c)
	f := result.finding(sa, "", message(key, c, g), {"confidence": g.confidence, "evidence": evidence(key, c, g)})
}

# The claims of account key used after their pod was gone.
_outlived contains [key, c] if {
	some key, a in object.get(input, ["audit", "serviceAccounts"], {})
	some c in a.claims
	c.pod != ""
	c.podUID != ""
	[ns, _] := split(key, "/")
	c.lastNs > gone(ns, c).sinceNs + margin_ns
}

# The earliest time the claim's pod is known to have been gone, and how:
# another pod of its name held the name from then.
gone(ns, c) := {"sinceNs": p[0], "source": p[1], "uid": p[2], "confidence": p[3]} if {
	proofs := sort(array.concat(_scan_proofs(ns, c), _log_proofs(ns, c)))
	p := proofs[0]
}

# The scan holds a pod of that name with another UID, created at sinceNs:
# it has held the name since, so the claim's pod did not exist after then.
_scan_proofs(ns, c) := [[t, "scan", uid, "certain"] |
	pod := k8s.objects_by_key("Pod", k8s.key(ns, c.pod))
	uid := pod.object.metadata.uid
	is_string(uid)
	uid != ""
	uid != c.podUID
	t := time.parse_rfc3339_ns(pod.object.metadata.creationTimestamp)
]

# The log holds requests with the token of a later pod of that name (any
# account of the namespace), first at sinceNs. Later: its token was first
# used after the claim's was; pods of one name live one after the other,
# and a token is first used while its pod lives (an assumption: "likely").
_log_proofs(ns, c) := [[o.firstNs, "audit log", o.podUID, "likely"] |
	some o in object.get(_claims_by_pod, k8s.key(ns, c.pod), [])
	o.podUID != c.podUID
	o.firstNs > c.firstNs
]

# The pod-bound claims of the log by the pod's "namespace/name", grouped
# once, so that a claim looks only at the claims of its pod's name.
_claims_by_pod := {pod: claims |
	some pod in {p[0] | some p in _pod_claims}
	claims := [p[1] | some p in _pod_claims; p[0] == pod]
}

_pod_claims := [[k8s.key(split(key, "/")[0], o.pod), o] |
	some key, a in input.audit.serviceAccounts
	some o in a.claims
	o.pod != ""
	o.podUID != ""
]

message(key, c, g) := sprintf("Pod %s/%s: a bound token of ServiceAccount %s issued for an earlier pod of this name (UID %s) authenticated %d requests, the last at %s, after that pod was gone (pod UID %s held the name from %s, by the %s): the token outlived its pod and is being replayed", [
	split(key, "/")[0], c.pod, key, c.podUID, c.requests, c.last, g.uid, audit.format(g.sinceNs), g.source,
])

evidence(key, c, g) := object.union(audit.usage(c), {
	"serviceAccount": key,
	"firstUse": c.first,
	"claims": object.filter(c, ["pod", "podUID", "node"]),
	"podGone": {"since": audit.format(g.sinceNs), "uid": g.uid, "source": g.source},
	"auditWindow": {"first": audit.window.first, "last": audit.window.last},
})
