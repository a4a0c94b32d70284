# METADATA
# title: Legacy-token lifecycle controls disabled or weakened
# description: |
#   Legacy token usage tracking and the clean-up of unused auto-generated
#   token Secrets shrink the window of forgotten long-lived tokens. Reported:
#   the LegacyServiceAccountTokenTracking or LegacyServiceAccountTokenCleanUp
#   feature gate set to false (Info where the gate is locked on, since the
#   component then does not start), and a clean-up period longer than the
#   default 8760h.
# related_resources:
# - ref: https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#legacy-serviceaccount-token-cleaner
# - ref: https://kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/
# custom:
#   id: SA031
#   severity: low
#   family: controlplane
#   remediation: |
#     Leave the feature gates at their defaults and keep
#     --legacy-service-account-token-clean-up-period at or below 8760h (one year).
#   example: |
#     # Static pod manifest (kube-controller-manager), relevant flags only.
#     apiVersion: v1
#     kind: Pod
#     metadata:
#       name: kube-controller-manager
#       namespace: kube-system
#       labels: {component: kube-controller-manager, tier: control-plane}
#     spec:
#       containers:
#         - name: kube-controller-manager
#           image: registry.k8s.io/kube-controller-manager:v1.37.2
#           command:
#             - kube-controller-manager
#             - --service-account-private-key-file=/etc/kubernetes/pki/sa.key
#             - --use-service-account-credentials=true
#             - --legacy-service-account-token-clean-up-period=8760h0m0s
#   modes: [manifest, cluster]
package sascan.rules.controlplane.legacy_lifecycle

import data.sascan.lib.dates
import data.sascan.lib.flags
import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.result

# The gate, which components read it, and the first version it is locked on.
gates := {
	"LegacyServiceAccountTokenTracking": {"components": {"kube-apiserver"}, "locked": 28},
	"LegacyServiceAccountTokenCleanUp": {"components": {"kube-apiserver", "kube-controller-manager"}, "locked": 30},
}

findings contains f if {
	some cp in input.controlPlanes
	some gate, g in gates
	cp.component in g.components
	flags.feature_gates(cp)[gate] == false
	locked := params.kube_minor >= g.locked
	f := result.finding(input.objects[cp.object], flags.path(cp, "feature-gates"), message(cp, gate, locked), {
		"severity": severity(locked),
		"confidence": confidence,
		"evidence": {"component": cp.component, "gate": gate, "lockedOn": locked, "subCheck": "a"},
	})
}

findings contains f if {
	some cp in flags.controller_managers
	name := "legacy-service-account-token-clean-up-period"
	s := flags.duration_seconds(cp, name)
	s > 8760 * 3600
	f := result.finding(input.objects[cp.object], flags.path(cp, name), sprintf("kube-controller-manager waits %s before invalidating unused auto-generated tokens, longer than the default 8760h", [flags.last(cp, name).value]), {"severity": "low", "evidence": {"component": cp.component, "seconds": s, "subCheck": "b"}})
}

# (c) live, 1.29 and later: token Secrets exist but the tracking ConfigMap
# is missing or unreadable, so the cleaner removes nothing.
findings contains f if {
	params.live
	params.kube_minor >= 29
	count(k8s.token_secrets) > 0
	not dates.tracking_valid
	anchor := tracking_anchor
	f := result.finding(anchor, "metadata.name", "the legacy-token tracking ConfigMap kube-system/kube-apiserver-legacy-service-account-token-tracking is missing or has no valid since date: no legacy token is ever cleaned up", {
		"severity": "low",
		"evidence": {"tokenSecrets": count(k8s.token_secrets), "subCheck": "c"},
	})
}

# Reported on the kube-system Namespace when listed, else on the first
# token Secret.
tracking_anchor := ns if {
	ns := k8s.namespaces["kube-system"]
} else := s if {
	s := [x | some _, x in k8s.token_secrets][0]
}

severity(true) := "info"

severity(false) := "low"

confidence := "certain" if params.version_known

else := "likely"

message(cp, gate, true) := sprintf("%s sets %s=false, but the gate is locked on at this version: the component does not start", [cp.component, gate])

message(cp, gate, false) := sprintf("%s turns %s off", [cp.component, gate])
