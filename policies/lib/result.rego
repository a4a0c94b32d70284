# METADATA
# title: Finding construction
# description: |
#   Every rule builds its findings with finding/4 so that all findings share
#   one shape: the object id, the field path, a message, and optional
#   severity, confidence, evidence and related objects. Rule ID, title and
#   remediation come from the rule's METADATA, never from here.
package sascan.lib.result

# finding returns a finding on object obj (an inventory object) at path.
# extra may set "severity", "confidence", "evidence" and "related"
# (a list of {"object": id, "path": p}).
finding(obj, path, message, extra) := object.union(
	{"object": obj.id, "path": path, "message": message},
	object.union(extra, allow_listed(obj)),
)

# Allow-listed objects: the engine lowers the severity of findings
# on allow-listed objects by one level and records the reason in evidence.
allow_listed(obj) := {"allowListed": r} if {
	r := data.sascan.lib.allowlist.reason(obj)
} else := {}

# How many entries an evidence or related list holds at most; a finding
# that has more says how many in a total beside the list.
list_cap := 20

severities := ["info", "low", "medium", "high", "critical"]

rank(sev) := i if severities[i] == sev

# raise moves a severity up n steps, capped at critical.
raise(sev, n) := severities[min([rank(sev) + n, 4])]

# lower moves a severity down n steps, floored at info.
lower(sev, n) := severities[max([rank(sev) - n, 0])]
