# METADATA
# title: Token ledger
# description: |
#   What the kube-apiserver audit logs given with --audit-log say about
#   token use (input.audit, built by the ledger package): the window the
#   logs cover, the requests of each ServiceAccount, the legacy token
#   Secrets requests authenticated with, stale tokens and bound-token
#   claims. Every verdict drawn from it names the window it saw.
package sascan.lib.audit

import data.sascan.lib.tokens

# The scan was given audit logs.
present if input.audit

window := input.audit.window

# The ServiceAccount's summary ("ns/name"); undefined when it made no
# request in the window.
account(key) := input.audit.serviceAccounts[key]

# requests of an account in the window (0 when none).
requests(key) := account(key).requests

default requests(_) := 0

legacy_requests(key) := account(key).legacy.requests

default legacy_requests(_) := 0

# The object existed during some of the window: it was created before the
# last event (an object without creationTimestamp, a manifest, is taken to
# have existed throughout).
existed(obj) if not created_ns(obj)

existed(obj) if created_ns(obj) < window.lastNs

created_ns(obj) := time.parse_rfc3339_ns(obj.object.metadata.creationTimestamp)

# The part of the window the object existed in: from the later of the
# first event and its creation, to the last event.
since_ns(obj) := max([window.firstNs, created_ns(obj)])

since_ns(obj) := window.firstNs if not created_ns(obj)

observed(obj) := {"first": format(since_ns(obj)), "last": window.last}

observed_text(obj) := sprintf("%s to %s", [format(since_ns(obj)), window.last])

# An RFC 3339 time to the second, as the window is written.
format(ns) := concat("", [time.format([ns, "UTC", "2006-01-02T15:04:05"]), "Z"])

# The account whose token workloads hold made no request while obj (its
# workload or Secret) existed in the window.
silent(key, obj) if {
	present
	existed(obj)
	requests(key) == 0
}

# A workload whose account made no request in the window while it
# existed, and whose token is one the API server would have seen: an
# automounted token or a projected one for the API's audience (a token for
# Vault or a cloud's identity service is presented elsewhere, so the API
# server's log says nothing about its use). No account was left out of
# the ledger for its caps.
silent_workload(ps) if {
	silent(ps.saKey, ps.obj)
	object.get(input.audit, "droppedAccounts", 0) == 0
	_api_token(ps)
}

_api_token(ps) if {
	some x in ps.tokenContainers
	x.auto
}

_api_token(ps) if {
	some x in ps.tokenContainers
	x.projected
	some v in x.mounted
	some src in object.get(v, ["projected", "sources"], [])
	tok := src.serviceAccountToken
	tokens.api_audience(object.get(tok, "audience", ""))
}

# Evidence that cites the window.
evidence(obj) := {"auditWindow": observed(obj), "auditRequests": 0}

# Usage evidence: how often, when last, from where and by which client
# (capped lists, with how many uses the caps left out).
usage(u) := {
	"requests": u.requests,
	"lastUse": u.last,
	"sourceIPs": u.sourceIPs,
	"userAgents": u.userAgents,
	"moreSourceIPs": u.moreSourceIPs,
	"moreUserAgents": u.moreUserAgents,
}

# The rules (indexes) of binding id's role that allowed requests of
# account key.
used_rules(key, id) := {i |
	some g in object.get(input.audit.serviceAccounts, [key, "grants"], [])
	g.binding == id
	some i in g.rules
}
