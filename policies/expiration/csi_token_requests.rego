# METADATA
# title: CSIDriver requests long-lived or API-audience ServiceAccount tokens
# description: |
#   A CSIDriver's spec.tokenRequests makes the kubelet hand the driver a token
#   of every pod that mounts its volumes. Each entry is graded like a projected
#   token (Medium above 24 hours, Low above one hour; 3600 s when omitted) and
#   Low when its audience is empty, since the driver then holds tokens the API
#   server accepts; one finding per entry at the higher of the two.
# related_resources:
# - ref: https://kubernetes-csi.github.io/docs/token-requests.html
# - ref: https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/csi-driver-v1/
# custom:
#   id: SA026
#   severity: low
#   family: expiration
#   remediation: |
#     Set a driver-specific audience and expirationSeconds of at most 3600, with
#     requiresRepublish: true so the kubelet refreshes the tokens.
#   example: |
#     apiVersion: storage.k8s.io/v1
#     kind: CSIDriver
#     metadata: {name: secrets-store.csi.example.com}
#     spec:
#       podInfoOnMount: true
#       requiresRepublish: true
#       tokenRequests:
#         - audience: secrets-store.example.com
#           expirationSeconds: 3600
#   modes: [manifest, cluster]
package sascan.rules.expiration.csi_token_requests

import data.sascan.lib.k8s
import data.sascan.lib.params
import data.sascan.lib.result
import data.sascan.lib.tokens

findings contains f if {
	some d in k8s.objects("CSIDriver")
	d.group == "storage.k8s.io"
	some i, req in object.get(d.object, ["spec", "tokenRequests"], [])
	e := tokens.expiration(req)
	aud := tokens.audience(req)
	reasons := [r | some r in [ttl_reason(e), audience_reason(aud)]; r != null]
	count(reasons) > 0
	sev := max_severity([r.severity | some r in reasons])
	f := result.finding(d, sprintf("spec.tokenRequests[%d]", [i]), sprintf("CSIDriver %s requests tokens that %s", [d.name, concat(" and ", [r.why | some r in reasons])]), {
		"severity": sev,
		"evidence": {"expirationSeconds": e, "audience": aud},
	})
}

ttl := params.params.tokenTTL

ttl_reason(e) := {"severity": "medium", "why": sprintf("live %d s (over %d s)", [e, ttl.mediumSeconds])} if {
	e > ttl.mediumSeconds
} else := {"severity": "low", "why": sprintf("live %d s (over %d s)", [e, ttl.lowSeconds])} if {
	e > ttl.lowSeconds
} else := null

audience_reason("") := {"severity": "low", "why": "have the API server's audience"}

audience_reason(aud) := null if aud != ""

max_severity(sevs) := s if {
	order := ["info", "low", "medium", "high", "critical"]
	s := order[max({i | some sev in sevs; order[i] == sev})]
}
