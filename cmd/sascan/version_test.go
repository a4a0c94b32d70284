package main

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDeriveStamp(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	info := func(version string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/sascan/sascan", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	tests := []struct {
		name              string
		ldVersion, commit string
		bi                *debug.BuildInfo
		want              stamp
	}{
		{"set by the linker", "v1.2.3", "abc1234", info("v9.9.9", "vcs.revision", rev), stamp{"v1.2.3", "abc1234"}},
		{"tests", "test", "test", info("(devel)"), stamp{"test", "test"}},
		{"no build info", "dev", "none", nil, stamp{"dev", "none"}},
		{"go install @v1.2.3", "dev", "none", info("v1.2.3"), stamp{"v1.2.3", "none"}},
		{"go install @pseudo-version", "dev", "none", info("v0.0.0-20260101120000-0123456789ab"), stamp{"v0.0.0-20260101120000-0123456789ab", "0123456789ab"}},
		{"go install @pseudo-version after a tag", "dev", "none", info("v1.2.4-0.20260101120000-0123456789ab"), stamp{"v1.2.4-0.20260101120000-0123456789ab", "0123456789ab"}},
		{"go build in a checkout", "dev", "none", info("v1.2.3", "vcs", "git", "vcs.revision", rev, "vcs.modified", "false"), stamp{"v1.2.3", "0123456789ab"}},
		{"go build in a modified checkout", "dev", "none",
			info("v1.2.4-0.20260101120000-0123456789ab+dirty", "vcs.revision", rev, "vcs.modified", "true"),
			stamp{"v1.2.4-0.20260101120000-0123456789ab+dirty", "0123456789ab-dirty"}},
		{"go build without VCS stamping", "dev", "none", info("(devel)"), stamp{"dev", "none"}},
		{"(devel) with a revision", "dev", "none", info("(devel)", "vcs.revision", rev), stamp{"dev", "0123456789ab"}},
		{"linker version, no linker commit", "v1.0.0", "none", info("v1.0.0", "vcs.revision", rev), stamp{"v1.0.0", "0123456789ab"}},
		{"short revision kept whole", "dev", "none", info("(devel)", "vcs.revision", "abc"), stamp{"dev", "abc"}},
		{"not a pseudo-version", "dev", "none", info("v1.2.3-rc.1"), stamp{"v1.2.3-rc.1", "none"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, deriveStamp(tc.ldVersion, tc.commit, tc.bi)); diff != "" {
				t.Errorf("deriveStamp (-want +got):\n%s", diff)
			}
		})
	}
}

// Every place that shows the version shows the stamp (fixed to "test" in
// tests, TestMain).
func TestVersionEverywhere(t *testing.T) {
	repoRoot(t)
	tests := []struct {
		name  string
		args  []string
		want  string
		exact bool // stdout is want, not only contains it
	}{
		{"version", []string{"version"}, "sascan test (commit test, ", false},
		{"-v", []string{"-v"}, "test\n", true},
		{"--version", []string{"--version"}, "test\n", true},
		{"json report", []string{"scan", "-o", "json", "--fail-on", "none", "testdata/rules/SA020/pass-equal.yaml"}, `"tool": {` + "\n" + `    "name": "sascan",` + "\n" + `    "version": "test"` + "\n", false},
		// SARIF's version starts with a number (SARIF2005); a release's is
		// its own, a development build's is prefixed with 0.0.0-.
		{"sarif report", []string{"scan", "-o", "sarif", "--fail-on", "none", "testdata/rules/SA020/pass-equal.yaml"}, `"version": "0.0.0-test"`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", tc.args...)
			if r.code != exitClean {
				t.Fatalf("exit %d: %s", r.code, r.err)
			}
			if tc.exact && r.out != tc.want {
				t.Errorf("stdout %q, want %q", r.out, tc.want)
			}
			if !tc.exact && !strings.Contains(r.out, tc.want) {
				t.Errorf("stdout lacks %q:\n%s", tc.want, r.out)
			}
		})
	}
}
