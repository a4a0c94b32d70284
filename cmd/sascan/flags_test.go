package main

import (
	"os"
	"path/filepath"
	"testing"
)

// --baseline takes only a sascan JSON report, --sarif-root only an
// existing folder; both fail before the scan with exit 2.
func TestBaselineAndSarifRootChecked(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	const input = "testdata/rules/SA020/pass-equal.yaml"
	sarif := filepath.Join(dir, "r.sarif")
	if r := cli(t, "", "scan", "--enable", "SA020", "-o", "sarif="+sarif, input); r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	base := filepath.Join(dir, "base.json")
	if r := cli(t, "", "scan", "--enable", "SA020", "--write-baseline", base, input); r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	emptyObj := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(emptyObj, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const hint = "; write one with --write-baseline or -o json\n"
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"baseline: a JSON report", []string{"--baseline", base}, exitClean, ""},
		{"baseline: SARIF", []string{"--baseline", sarif}, exitError, "sascan: read baseline " + sarif + ": a SARIF log, not a sascan JSON report" + hint},
		{"baseline: {}", []string{"--baseline", emptyObj}, exitError, "sascan: read baseline " + emptyObj + ": not a sascan JSON report (no schemaVersion, tool sascan and findings)" + hint},
		{"baseline: missing", []string{"--baseline", dir + "/nope.json"}, exitError, "sascan: read baseline " + dir + "/nope.json: no such file or directory\n"},
		{"sarif-root: a folder", []string{"--sarif-root", dir}, exitClean, ""},
		{"sarif-root: missing", []string{"--sarif-root", dir + "/nope"}, exitError, "sascan: --sarif-root " + dir + "/nope: no such file or directory\n"},
		{"sarif-root: a file", []string{"--sarif-root", base}, exitError, "sascan: --sarif-root " + base + ": not a directory\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", append(append([]string{"scan", "--enable", "SA020", "-o", "json"}, tc.args...), input)...)
			if r.code != tc.code || r.err != tc.stderr {
				t.Errorf("exit %d stderr %q; want %d and %q", r.code, r.err, tc.code, tc.stderr)
			}
			if tc.code == exitError && r.out != "" {
				t.Errorf("a report was written: %.100s", r.out)
			}
		})
	}
}
