package rules

import (
	"errors"
	"strings"
	"testing"
)

// Config errors name the file, the line, the key as written and the keys
// allowed there, never a Go type.
func TestConfigErrors(t *testing.T) {
	const top = "failOn, minSeverity, enable, disable, severity, kubeVersion, defaultNamespace, settings, exceptions"
	tests := []struct {
		name, src, want string
	}{
		{"unknown top-level key", "failOn: high\nfailon: low\n",
			`invalid config: c.yaml:2: unknown key "failon" (allowed: ` + top + `)`},
		{"unknown nested key", "failOn: high\nsettings:\n  tokenTTL: {lowSeconds: 10, mediumSecs: 5}\n",
			`invalid config: c.yaml:3: unknown key "mediumSecs" in settings.tokenTTL (allowed: lowSeconds, mediumSeconds)`},
		{"unknown settings key", "settings:\n  legacy: {activeDays: 1, staleDays: 2}\n  tokenTtl: {}\n",
			`invalid config: c.yaml:3: unknown key "tokenTtl" in settings (allowed: tokenTTL, legacy, assumeAutomountWhenSAUnknown, pre135ExecGetIsDangerous, systemAllowList)`},
		{"unknown exception key", "exceptions:\n- rule: SA016\n  reason: r\n- rule: SA017\n  reasn: r\n",
			`invalid config: c.yaml:5: unknown key "reasn" in exceptions[1] (allowed: rule, namespace, kind, name, reason, expires)`},
		{"unknown allow-list key", "settings:\n  systemAllowList:\n  - {kind: Pod, names: x}\n",
			`invalid config: c.yaml:3: unknown key "names" in settings.systemAllowList[0] (allowed: kind, namespace, name)`},
		{"a struct given a scalar", "settings: 5\n",
			`invalid config: c.yaml:1: settings: want a mapping with the keys tokenTTL, legacy, assumeAutomountWhenSAUnknown, pre135ExecGetIsDangerous, systemAllowList`},
		{"the file is a list", "- failOn: high\n",
			`invalid config: c.yaml:1: the top level: want a mapping with the keys ` + top},
		{"a list given a scalar", "disable: SA020\n",
			`invalid config: c.yaml:1: disable: want a list`},
		{"a map given a list", "severity: [SA017]\n",
			`invalid config: c.yaml:1: severity: want a mapping`},
		{"a string given a list", "failOn: [high]\n",
			`invalid config: c.yaml:1: failOn: want a single value`},
		{"a number given text", "settings:\n  legacy:\n    activeDays: thirty\n",
			`invalid config: c.yaml:3: settings.legacy.activeDays: want a whole number`},
		{"a boolean given text", "settings:\n  assumeAutomountWhenSAUnknown: maybe\n",
			`invalid config: c.yaml:2: settings.assumeAutomountWhenSAUnknown: want true or false`},
		{"not YAML", "failOn: [high\n",
			`invalid config: c.yaml: line 1: did not find expected ',' or ']'`},
		{"a bad value still names its key", "failOn: severe\n",
			`invalid config: c.yaml:1: failOn: unknown severity "severe" (want none, info, low, medium, high or critical)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("c.yaml", strings.NewReader(tc.src))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error:\n%v\nwant:\n%s", err, tc.want)
			}
			if !errors.Is(err, ErrConfig) {
				t.Errorf("error does not wrap ErrConfig")
			}
		})
	}
}

// Everything the README shows, and yaml.v3's leniency (yes, 1_000,
// aliases), still parses.
func TestConfigAccepts(t *testing.T) {
	tests := []struct{ name, src string }{
		{"README example", `failOn: high
minSeverity: low
disable: [SA020]
severity: {SA017: info}
kubeVersion: "1.34"
settings:
  tokenTTL: {lowSeconds: 3600, mediumSeconds: 86400}
  legacy: {activeDays: 30, staleDays: 90}
  assumeAutomountWhenSAUnknown: true
  systemAllowList:
    - {kind: ServiceAccount, namespace: kube-system, name: cilium*}
exceptions:
  - rule: SA016
    namespace: monitoring
    kind: DaemonSet
    name: node-exporter*
    reason: needs TokenReview
    expires: 2027-06-30
`},
		{"yes and 1_000", "settings:\n  assumeAutomountWhenSAUnknown: yes\n  tokenTTL: {lowSeconds: 1_000, mediumSeconds: 2000}\n"},
		{"null values", "failOn:\nsettings:\n"},
		{"aliases", "exceptions:\n- &e {rule: SA016, reason: r}\n- *e\n"},
		{"empty", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseConfig("c.yaml", strings.NewReader(tc.src)); err != nil {
				t.Fatal(err)
			}
		})
	}
}
