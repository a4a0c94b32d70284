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
# Allow-listed objects: the engine lowers the severity of findings on
# allow-listed objects by one level and records the reason in evidence.
finding(obj, path, message, extra) := object.union(
	object.union({"object": obj.id, "path": path, "message": message}, extra),
	{"allowListed": r},
) if {
	r := data.sascan.lib.allowlist.reason(obj)
} else := object.union({"object": obj.id, "path": path, "message": message}, extra)

# How many entries an evidence or related list holds at most; a finding
# that has more says how many in a total beside the list.
list_cap := 20

# The severities in order, lowest first, as the scan defines them
# (rules.Severity).
severities := data.sascan.lib.params.params.severities

rank(sev) := i if severities[i] == sev

# raise moves a severity up n steps, capped at the highest.
raise(sev, n) := severities[min([rank(sev) + n, count(severities) - 1])]

# lower moves a severity down n steps, floored at the lowest.
lower(sev, n) := severities[max([rank(sev) - n, 0])]
