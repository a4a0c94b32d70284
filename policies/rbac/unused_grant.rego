# METADATA
# title: Permissions granted to a ServiceAccount but not used in the audit window
# description: |
#   A binding grants a ServiceAccount a role some or all of whose rules allowed
#   none of the account's requests in the audit logs given with --audit-log.
#   Unused grants are attack surface with no benefit. The evidence holds the
#   unused rules and the least-privilege roles that allow exactly what the
#   account did (sascan access sa NS/NAME --audit-log LOG prints them as YAML to
#   apply). Medium when no rule of the role was used, low when some were.
#   Bootstrap bindings and grants through groups are not judged. Runs only
#   with --audit-log; the finding names the window it is based on.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
# custom:
#   id: SA038
#   severity: low
#   family: rbac
#   remediation: |
#     Replace the binding's role with the least-privilege role of the evidence (sascan access sa
#     NS/NAME --audit-log LOG prints it), or delete the binding when nothing was used. Check
#     the window first: permissions used only on rare code paths do not show in it.
#   example: |
#     # What the account used, and nothing more.
#     apiVersion: rbac.authorization.k8s.io/v1
#     kind: Role
#     metadata: {name: ci-least-privilege, namespace: build}
#     rules:
#       - apiGroups: [""]
#         resources: [pods]
#         verbs: [list]
#   modes: [manifest, cluster]
package sascan.rules.rbac.unused_grant

import data.sascan.lib.audit
import data.sascan.lib.k8s
import data.sascan.lib.rbac
import data.sascan.lib.result

findings contains f if {
	audit.present
	some key, grants in input.access.direct
	some [id, index] in grants
	b := input.access.bindings[id]
	b.known
	id in rbac.binding_exceeds
	obj := input.objects[id]
	not rbac.bootstrap(obj)
	account_existed(key)
	complete(key)
	role := input.access.roles[b.role]
	used := audit.used_rules(key, id)
	unused := [r | some i, r in role.rules; not i in used]
	count(unused) > 0
	f := result.finding(obj, sprintf("subjects[%d]", [index]), message(obj, b, key, count(unused), count(role.rules)), {
		"severity": severity(used),
		"key": key,
		"evidence": {
			"serviceAccount": key,
			"role": b.role,
			"unusedRules": unused,
			"usedRules": count(used),
			"accountRequests": audit.requests(key),
			"leastPrivilege": object.get(input.audit.serviceAccounts, [key, "leastPrivilege"], []),
			"auditWindow": {"first": audit.window.first, "last": audit.window.last},
		},
	})
}

severity(used) := "medium" if count(used) == 0

else := "low"

# The account existed during the window (an account created after the
# last event could not have used anything).
account_existed(key) if not k8s.service_accounts[key]

account_existed(key) if audit.existed(k8s.service_accounts[key])

message(obj, b, key, n, total) := sprintf("%s %s grants %s to ServiceAccount %s, which used none of its %d rules from %s to %s", [obj.kind, obj.name, b.role, key, total, audit.window.first, audit.window.last]) if {
	n == total
} else := sprintf("%s %s grants %s to ServiceAccount %s, which used %d of its %d rules from %s to %s: the evidence has the least-privilege role", [obj.kind, obj.name, b.role, key, total - n, total, audit.window.first, audit.window.last])

# The ledger kept every distinct request of the account (none was dropped
# past its cap), and no account was dropped: what it did not see, the
# account did not do.
complete(key) if {
	object.get(input.audit.serviceAccounts, [key, "droppedRequests"], 0) == 0
	object.get(input.audit, "droppedAccounts", 0) == 0
}
