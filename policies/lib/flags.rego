# METADATA
# title: Control-plane flags
# description: |
#   Reads the flags of kube-apiserver and kube-controller-manager that Go
#   parsed from static pod manifests or mirror pods: last
#   occurrence wins except for repeatable flags; booleans follow
#   strconv.ParseBool; durations follow time.ParseDuration.
package sascan.lib.flags

apiservers := [cp | some cp in input.controlPlanes; cp.component == "kube-apiserver"]

controller_managers := [cp | some cp in input.controlPlanes; cp.component == "kube-controller-manager"]

# all occurrences of a flag, in order.
occurrences(cp, name) := object.get(cp.flags, name, [])

# last returns the last occurrence ({value, bare, path}) of a flag.
last(cp, name) := fs[count(fs) - 1] if {
	fs := occurrences(cp, name)
	count(fs) > 0
}

default present(_, _) := false

present(cp, name) if last(cp, name)

# values of a repeatable flag (StringArray): every occurrence, and each
# comma-separated element.
values(cp, name) := [v |
	some f in occurrences(cp, name)
	some v in split(f.value, ",")
	v != ""
]

true_values := {"1", "t", "T", "TRUE", "true", "True"}

false_values := {"0", "f", "F", "FALSE", "false", "False"}

parse_bool(s) if s in true_values

else := false if s in false_values

# bool returns a boolean flag's effective value, or def when absent.
# An unparseable value is left undefined (the component would not start).
bool(cp, name, _) := parse_bool(last(cp, name).value)

bool(cp, name, def) := def if not present(cp, name)

# seconds of a duration flag; undefined when absent or not a Go duration.
duration_seconds(cp, name) := time.parse_duration_ns(v) / 1000000000 if {
	v := last(cp, name).value
	regex.match(`^[-+]?([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$`, v)
}

# the field path to point at: the flag's token, else the container.
path(cp, name) := p if {
	p := last(cp, name).path
} else := concat("", [cp.path, ".command"])

# feature gates merged per key, last wins.
feature_gates(cp) := {g: parse_bool(v) |
	some f in occurrences(cp, "feature-gates")
	some kv in split(f.value, ",")
	[g, v] := split(trim_space(kv), "=")
	not _later_sets(cp, f, g)
}

_later_sets(cp, f, g) if {
	fs := occurrences(cp, "feature-gates")
	some i, x in fs
	x == f
	some j, y in fs
	j > i
	some kv in split(y.value, ",")
	startswith(trim_space(kv), concat("", [g, "="]))
}
