# METADATA
# title: Dates of the legacy-token lifecycle
# description: |
#   The kubernetes.io/legacy-token-last-used and -invalid-since labels and
#   the tracking ConfigMap's since key are UTC dates (Go layout 2006-01-02).
#   Days are counted between dates, as the token cleaner does.
package sascan.lib.dates

import data.sascan.lib.params

day_ns := (24 * 3600) * 1000000000

# days_since returns whole days from the date v to today (UTC); undefined
# when v is not a YYYY-MM-DD date.
days_since(v) := (today_ns - parse(v)) / day_ns

today_ns := params.now_ns - (params.now_ns % day_ns)

parse(v) := time.parse_ns("2006-01-02", v) if valid(v)

valid(v) if {
	is_string(v)
	regex.match(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`, v)
}

format(ns) := substring(time.format(ns), 0, 10)

# The tracking ConfigMap kube-apiserver writes when usage tracking starts.
tracking := data.sascan.lib.k8s.objects_by_key("ConfigMap", "kube-system/kube-apiserver-legacy-service-account-token-tracking")

tracking_since := tracking.object.data.since

tracking_valid if valid(tracking_since)
