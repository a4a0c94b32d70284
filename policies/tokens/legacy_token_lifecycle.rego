# METADATA
# title: Legacy-token lifecycle state and anomalies
# description: |
#   What the legacy-token cleaner sees: an invalidated token
#   (kubernetes.io/legacy-token-invalid-since) awaiting deletion is Info; a
#   last-used label that is not a date (the cleaner skips the Secret forever)
#   and invalid-since on a manual token (the cleaner never sets it: someone
#   did) are Low. Token Secrets whose use cannot be known (no label and no
#   tracking ConfigMap) are Info.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#auto-generated-legacy-serviceaccount-token-clean-up
# - ref: https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-legacy-token-invalid-since
# custom:
#   id: SA007
#   severity: info
#   family: tokens
#   remediation: |
#     Migrate any consumer of an invalidated token before it is deleted, or delete it now; fix or
#     remove a malformed last-used label; remove invalid-since from a manual token and delete the
#     token if it is unused.
#   example: |
#     # A manual token Secret carries no invalid-since label, and the API server
#     # tracks legacy-token use (it writes this ConfigMap itself).
#     apiVersion: v1
#     kind: ConfigMap
#     metadata:
#       name: kube-apiserver-legacy-service-account-token-tracking
#       namespace: kube-system
#     data:
#       since: "2025-01-15"
#     ---
#     apiVersion: v1
#     kind: Secret
#     metadata:
#       name: ci-robot-token
#       namespace: ci
#       annotations:
#         kubernetes.io/service-account.name: ci-robot
#     type: kubernetes.io/service-account-token
#   modes: [cluster]
package sascan.rules.tokens.legacy_token_lifecycle

import data.sascan.lib.dates
import data.sascan.lib.flags
import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.result

label_path(l) := sprintf("metadata.labels[%q]", [l])

# Clean-up period in days: the controller-manager flag, else one year.
period_days := d if {
	some cp in flags.controller_managers
	d := flags.duration_seconds(cp, "legacy-service-account-token-clean-up-period") / 86400
} else := 365

findings contains f if {
	params.live
	some s in k8s.token_secrets
	inv := k8s.labels(s)[k8s.invalid_since_label]
	dates.valid(inv)

	# The cleaner deletes once invalidSince < date(now - period): the day after.
	due := dates.format(dates.parse(inv) + ((period_days + 1) * dates.day_ns))
	f := result.finding(s, label_path(k8s.invalid_since_label), sprintf("legacy token Secret %s/%s is invalidated since %s; the cleaner deletes it on or after %s", [s.namespace, s.name, inv, due]), {
		"severity": "info",
		"evidence": {"invalidSince": inv, "deletionDue": due, "classification": k8s.token_classification(s)},
	})
}

findings contains f if {
	params.live
	some s in k8s.token_secrets
	last := k8s.labels(s)[k8s.last_used_label]
	not dates.valid(last)
	f := result.finding(s, label_path(k8s.last_used_label), sprintf("legacy token Secret %s/%s has last-used label %q, not a YYYY-MM-DD date: the cleaner skips it on every run", [s.namespace, s.name, last]), {
		"severity": "low",
		"evidence": {"lastUsed": last},
	})
}

findings contains f if {
	params.live
	some s in k8s.token_secrets
	k8s.labels(s)[k8s.invalid_since_label]
	k8s.token_classification(s) == "manual"
	f := result.finding(s, label_path(k8s.invalid_since_label), sprintf("manual legacy token Secret %s/%s carries invalid-since, which the cleaner never sets on manual tokens", [s.namespace, s.name]), {
		"severity": "low",
		"evidence": {"classification": "manual"},
	})
}

findings contains f if {
	params.live
	some s in k8s.token_secrets
	not k8s.labels(s)[k8s.last_used_label]
	not k8s.labels(s)[k8s.invalid_since_label]
	not dates.tracking_valid
	f := result.finding(s, "metadata.name", sprintf("legacy token usage not tracked: whether %s/%s is used cannot be known (no last-used label, no tracking ConfigMap)", [s.namespace, s.name]), {
		"severity": "info",
		"evidence": {"tracking": false},
	})
}
