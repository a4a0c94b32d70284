//go:build unix

package main

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Reports and baselines are created 0644 less the umask, an existing
// file keeps its mode, and no temporary file is left behind.
func TestReportFileModes(t *testing.T) {
	repoRoot(t)
	const input = "testdata/rules/SA020/pass-equal.yaml"
	tests := []struct {
		name     string
		umask    int
		existing fs.FileMode // 0: no file before
		flag     string
		want     fs.FileMode
	}{
		{"report, umask 022", 0o022, 0, "-o=json=%s", 0o644},
		{"report, umask 027", 0o027, 0, "-o=sarif=%s", 0o640},
		{"report, umask 077", 0o077, 0, "--output-file=%s", 0o600},
		{"baseline, umask 022", 0o022, 0, "--write-baseline=%s", 0o644},
		{"existing 0600 report keeps its mode", 0o022, 0o600, "-o=json=%s", 0o600},
		{"existing 0664 baseline keeps its mode", 0o022, 0o664, "--write-baseline=%s", 0o664},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "out")
			if tc.existing != 0 {
				if err := os.WriteFile(file, []byte("old"), tc.existing); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(file, tc.existing); err != nil {
					t.Fatal(err)
				}
			}
			old := syscall.Umask(tc.umask)
			r := cli(t, "", "scan", "--enable", "SA020", strings.Replace(tc.flag, "%s", file, 1), input)
			syscall.Umask(old)
			if r.code != exitClean {
				t.Fatalf("exit %d: %s", r.code, r.err)
			}
			info, err := os.Stat(file)
			if err != nil {
				t.Fatal(err)
			}
			if got := info.Mode().Perm(); got != tc.want {
				t.Errorf("mode %04o, want %04o", got, tc.want)
			}
			b, _ := os.ReadFile(file)
			if !strings.Contains(string(b), `"sascan"`) && !strings.Contains(string(b), "0 findings") {
				t.Errorf("not a report: %.80s", b)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("files left in the folder: %v", entries)
			}
		})
	}
}

// A write error names the file asked for, never a temporary file.
func TestReportWriteErrors(t *testing.T) {
	repoRoot(t)
	dir := t.TempDir()
	notDir := filepath.Join(dir, "plain")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	const input = "testdata/rules/SA020/pass-equal.yaml"
	tests := []struct {
		name   string
		flag   string
		stderr string
	}{
		{"missing folder", "-o=sarif=" + dir + "/nope/r.sarif", "sascan: write sarif report to " + dir + "/nope/r.sarif: no such file or directory\n"},
		{"a file for a folder", "--output-file=" + notDir + "/r.json", "sascan: write table report to " + notDir + "/r.json: not a directory\n"},
		{"a folder for a file", "-o=json=" + dir, "sascan: write json report to " + dir + ": is a directory\n"},
		{"baseline in a missing folder", "--write-baseline=" + dir + "/nope/b.json", "sascan: write baseline to " + dir + "/nope/b.json: no such file or directory\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", "scan", "--enable", "SA020", tc.flag, input)
			if r.code != exitError || r.err != tc.stderr {
				t.Errorf("exit %d stderr %q; want 2 and %q", r.code, r.err, tc.stderr)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"plain"}, names); diff != "" {
		t.Errorf("files left (-want +got):\n%s", diff)
	}
}

// A FIFO (or /dev/stdout) is written in place, not replaced by a file.
func TestReportToFIFO(t *testing.T) {
	repoRoot(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	r := cli(t, "", "scan", "--enable", "SA020", "-o", "json="+fifo, "testdata/rules/SA020/pass-equal.yaml")
	if r.code != exitClean {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if out := <-got; !strings.Contains(out, `"schemaVersion": "1"`) {
		t.Errorf("read from the FIFO: %.200s", out)
	}
	if info, err := os.Stat(fifo); err != nil || info.Mode().Type() != fs.ModeNamedPipe {
		t.Errorf("the FIFO was replaced: %v %v", info.Mode(), err)
	}
}
