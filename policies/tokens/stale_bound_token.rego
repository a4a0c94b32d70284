# METADATA
# title: Stale bound token still in use
# description: |
#   The audit logs given with --audit-log hold requests that authenticated
#   with a bound token past its warnafter time (the API server annotates them
#   authentication.k8s.io/stale-token): the kubelet refreshed the pod's
#   projected token long ago, but the client keeps sending the first one it
#   read. It works only because the API server extends admission-injected
#   tokens to a year (--service-account-extend-token-expiration); with that
#   off, the client fails once the hour is up. Reported on the pod the token
#   was bound to when the scan holds it (its owner, for a controller's pod),
#   else on the ServiceAccount.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume
# custom:
#   id: SA039
#   severity: medium
#   family: tokens
#   remediation: |
#     Upgrade the client library so that it rereads the token file (client-go and the other
#     official Kubernetes clients do), or make the client reload it at least every hour.
#   example: |
#     # Any official client reloads the projected token; nothing to change in the manifest.
#     apiVersion: v1
#     kind: Pod
#     metadata: {name: app, namespace: web}
#     spec:
#       serviceAccountName: app
#       containers:
#         - {name: app, image: registry.example/app:2.0}
#   modes: [manifest, cluster]
package sascan.rules.tokens.stale_bound_token

import data.sascan.lib.audit
import data.sascan.lib.k8s
import data.sascan.lib.result

# On the pod the token was bound to.
findings contains f if {
	some key, a in input.audit.serviceAccounts
	a.stale.requests > 0
	some c in a.claims
	c.staleRequests > 0
	[ns, _] := split(key, "/")
	pod := _bound_pod(ns, c)
	f := result.finding(pod, "", sprintf("Pod %s/%s: a client still sends a stale bound token of ServiceAccount %s (%d requests past its refresh time, last at %s, from %s to %s): it does not reload its projected token", [ns, c.pod, key, c.staleRequests, c.last, audit.window.first, audit.window.last]), {"evidence": evidence(key, a, c)})
}

# On the ServiceAccount when no pod of the scan carries the stale token.
findings contains f if {
	some key, a in input.audit.serviceAccounts
	a.stale.requests > 0
	not _on_pod(key, a)
	sa := k8s.service_accounts[key]
	f := result.finding(sa, "", sprintf("ServiceAccount %s: a client still sends a stale bound token (%d requests past its refresh time, last at %s, from %s to %s): it does not reload its projected token", [key, a.stale.requests, a.stale.last, audit.window.first, audit.window.last]), {"evidence": evidence(key, a, {})})
}

_on_pod(key, a) if {
	some c in a.claims
	c.staleRequests > 0
	[ns, _] := split(key, "/")
	_bound_pod(ns, c)
}

# The pod the token was bound to: the scan's pod of that name, unless the
# claim's UID and the pod's differ (then it is another pod of the same
# name, and the token outlived its own: SA040's finding).
_bound_pod(ns, c) := pod if {
	pod := k8s.objects_by_key("Pod", k8s.key(ns, c.pod))
	not _other_pod(pod, c)
}

_other_pod(pod, c) if {
	uid := object.get(pod.object, ["metadata", "uid"], "")
	uid != ""
	object.get(c, "podUID", "") != ""
	uid != c.podUID
}

evidence(key, a, c) := object.union(audit.usage(a.stale), {
	"serviceAccount": key,
	"claims": object.filter(c, ["pod", "podUID", "node"]),
	"auditWindow": {"first": audit.window.first, "last": audit.window.last},
})
