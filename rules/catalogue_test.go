package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sascan/sascan/scanner"
)

// TestCatalogue holds the catalogue to its contract: IDs unique and well
// formed, severities valid, remediation present, Rego tests and fail/pass
// fixtures for every rule.
func TestCatalogue(t *testing.T) {
	cat, err := Load(LoadOptions{Tests: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Rules) == 0 {
		t.Fatal("no rules")
	}
	tests := map[string]bool{}
	for f := range cat.TestModules() {
		tests[f] = true
	}
	seen := map[string]bool{}
	for _, r := range cat.Rules {
		t.Run(r.ID, func(t *testing.T) {
			if !regexp.MustCompile(`^SA\d{3}$`).MatchString(r.ID) || seen[r.ID] {
				t.Errorf("bad or duplicate ID %q", r.ID)
			}
			seen[r.ID] = true
			if !r.Severity.Valid() {
				t.Errorf("severity %v", r.Severity)
			}
			if r.Remediation == "" || r.Title == "" || r.Description == "" || len(r.References) == 0 || r.Example == "" {
				t.Errorf("title, description, remediation, example and references are required")
			}
			wantPkg := "sascan.rules." + r.Family + "."
			if !strings.HasPrefix(r.Package, wantPkg) {
				t.Errorf("package %s is not under %s", r.Package, wantPkg)
			}
			if want := strings.TrimSuffix(r.File, ".rego") + "_test.rego"; !tests[want] {
				t.Errorf("no Rego tests: %s", want)
			}
			for _, kind := range []string{"fail", "pass"} {
				m, _ := filepath.Glob(filepath.Join("..", "testdata", "rules", r.ID, kind+"-*.yaml"))
				if len(m) == 0 {
					t.Errorf("no testdata/rules/%s/%s-*.yaml fixture", r.ID, kind)
				}
			}
		})
	}
	dirs, _ := os.ReadDir(filepath.Join("..", "testdata", "rules"))
	for _, d := range dirs {
		if cat.Rule(d.Name()) == nil {
			t.Errorf("testdata/rules/%s names no rule", d.Name())
		}
	}
}

// TestRemediationExamples: every rule's YAML example loads as Kubernetes
// objects and does not itself trigger the rule it illustrates.
func TestRemediationExamples(t *testing.T) {
	for _, mode := range []string{ModeManifest, ModeCluster} {
		cat, e := modeEngine(t, mode)
		for _, r := range cat.Rules {
			if !r.RunsIn(mode) || mode == ModeCluster && r.RunsIn(ModeManifest) {
				continue
			}
			t.Run(r.ID, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "example.yaml")
				if err := os.WriteFile(path, []byte(r.Example+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				smode := scanner.ModeManifest
				if mode == ModeCluster {
					smode = scanner.ModeCluster
				}
				fs, inv := scanMode(t, e, fixtureParams, smode, path)
				observed := 0
				for _, o := range inv.Objects {
					if o.Origin == scanner.OriginManifest || o.Origin == scanner.OriginCluster {
						observed++
					}
				}
				if observed == 0 {
					t.Fatalf("the example holds no Kubernetes object:\n%s", r.Example)
				}
				for _, f := range fs {
					if f.RuleID == r.ID {
						t.Errorf("the example triggers its own rule: %s", formatFinding(f))
					}
				}
			})
		}
	}
}

func TestMetadataContract(t *testing.T) {
	cases := map[string]struct {
		src  string
		want string
	}{
		"unknown key": {`# METADATA
# title: T
# description: D
# custom:
#   id: CUSTOM-1
#   severity: low
#   family: x
#   remediation: r
#   modes: [manifest]
#   colour: red
package custom.x

findings contains 1 if false
`, "unknown key(s) colour"},
		"missing modes": {`# METADATA
# title: T
# description: D
# custom:
#   id: CUSTOM-1
#   severity: low
#   family: x
#   remediation: r
package custom.x

findings contains 1 if false
`, "custom.modes is required"},
		"bad severity": {`# METADATA
# title: T
# description: D
# custom:
#   id: CUSTOM-1
#   severity: severe
#   family: x
#   remediation: r
#   modes: [manifest]
package custom.x

findings contains 1 if false
`, `unknown severity "severe"`},
		"no metadata":     {"package custom.x\n\nfindings contains 1 if false\n", "no package METADATA"},
		"reserved prefix": {"package sascan.rules.x\n\nfindings contains 1 if false\n", "must not use the sascan package prefix"},
		"reserved id": {`# METADATA
# title: T
# description: D
# custom:
#   id: SA001
#   severity: low
#   family: x
#   remediation: r
#   modes: [manifest]
package custom.x

findings contains 1 if false
`, "SA### is reserved"},
		"syntax": {"package custom.x\n\nfindings contains f if {\n", "rego_parse_error"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "p.rego")
			if err := os.WriteFile(file, []byte(tc.src), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(LoadOptions{PolicyDirs: []string{dir}})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), file) {
				t.Fatalf("error %v; want one naming %s and containing %q", err, file, tc.want)
			}
		})
	}
}
