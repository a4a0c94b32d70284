# METADATA
# title: Stale legacy token that the control plane will never clean up
# description: |
#   A token Secret not used for longer than legacy.staleDays, by its
#   kubernetes.io/legacy-token-last-used date or, without one, since usage
#   tracking began (the tracking ConfigMap's since date). Auto-generated
#   tokens are invalidated a clean-up period after last use; manual tokens
#   never are. Low; Medium for a manual token whose ServiceAccount holds
#   tier-0 or tier-1 permissions.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#auto-generated-legacy-serviceaccount-token-clean-up
# - ref: https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-legacy-token-last-used
# custom:
#   id: SA006
#   severity: low
#   family: tokens
#   remediation: |
#     Delete the Secret (kubectl delete secret); if it must stay, document its owner and purpose.
#   example: |
#     # Mark a legacy token unused before deleting it: requests with it then
#     # fail, and the cleaner deletes it after the clean-up period.
#     apiVersion: v1
#     kind: Secret
#     metadata:
#       name: old-deployer-token
#       namespace: ci
#       labels:
#         kubernetes.io/legacy-token-invalid-since: "2026-07-01"
#       annotations:
#         kubernetes.io/service-account.name: deployer
#     type: kubernetes.io/service-account-token
#   modes: [cluster]
package sascan.rules.tokens.stale_legacy_token

import data.sascan.lib.dates
import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.rbac
import data.sascan.lib.result

stale_days := params.params.legacy.staleDays

findings contains f if {
	params.live
	some s in k8s.token_secrets
	not k8s.labels(s)[k8s.invalid_since_label]
	idle := idle_since(s)
	days := dates.days_since(idle.date)
	days > stale_days
	cls := k8s.token_classification(s)
	sa := object.get(k8s.annotations(s), k8s.sa_name_annotation, "")
	tier := rbac.sa_top_tier(s.namespace, sa)
	f := result.finding(s, idle.path, sprintf("legacy token Secret %s/%s has not been used for %d days (%s)", [s.namespace, s.name, days, idle.why]), {
		"severity": severity(cls, tier),
		"evidence": {
			"classification": cls,
			"unusedSince": idle.date,
			"cleanup": cleanup(cls, idle.date),
			"privilegeTier": rbac.tier_name(tier),
		},
	})
}

idle_since(s) := {"date": d, "path": sprintf("metadata.labels[%q]", [k8s.last_used_label]), "why": "last-used label"} if {
	d := k8s.labels(s)[k8s.last_used_label]
	dates.valid(d)
} else := {"date": dates.tracking_since, "path": "metadata.name", "why": "never used since usage tracking began"} if {
	not k8s.labels(s)[k8s.last_used_label]
	dates.valid(dates.tracking_since)
	created := substring(object.get(s.object, ["metadata", "creationTimestamp"], ""), 0, 10)
	dates.days_since(created) > stale_days
}

severity("manual", tier) := "medium" if tier < 2

else := "low"

cleanup("manual", _) := "never: manual tokens are not cleaned up"

cleanup("auto-generated", d) := sprintf("invalidated once unused for the clean-up period (default 365 days) after %s", [d])
