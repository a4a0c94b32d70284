package scanner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

type loaded struct {
	Kind, Namespace, Name string
	File                  string
	Doc, Line             int
}

func load(t *testing.T, opts LoadOptions, paths ...string) (*Manifests, []loaded) {
	t.Helper()
	m, err := LoadManifests(context.Background(), paths, opts)
	if err != nil {
		t.Fatal(err)
	}
	var out []loaded
	for _, o := range m.Objects {
		md, _ := o.Value["metadata"].(map[string]any)
		ns, _ := md["namespace"].(string)
		name, _ := md["name"].(string)
		kind, _ := o.Value["kind"].(string)
		out = append(out, loaded{kind, ns, name, o.Source.File, o.Source.Doc, o.Source.Line})
	}
	return m, out
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadHelmStream(t *testing.T) {
	// helm template output: comments, an empty document, a leading marker,
	// and a non-Kubernetes document.
	src := `---
# Source: chart/templates/sa.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
---
# Source: chart/templates/empty.yaml
---
# Source: chart/templates/values.yaml
replicas: 3
---
# Source: chart/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
...
`
	m, got := load(t, LoadOptions{Stdin: strings.NewReader(src)}, "-")
	want := []loaded{
		{"ServiceAccount", "", "app", "<stdin>", 0, 3},
		{"Deployment", "prod", "web", "<stdin>", 2, 14},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if m.Skipped != 1 || m.Documents != 3 || len(m.Errors) != 0 {
		t.Errorf("skipped %d documents %d errors %v; want 1, 3, none", m.Skipped, m.Documents, m.Errors)
	}
}

func TestLoadListAndJSON(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "list.yaml", `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: a, namespace: x}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: b, namespace: x}
`)
	write(t, dir, "sub/export.json", `{"apiVersion": "v1", "kind": "ServiceAccountList", "items": [
  {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "c", "namespace": "y"}}
]}`)
	write(t, dir, "notes.txt", "apiVersion: v1\nkind: Secret\n")
	write(t, dir, ".hidden/x.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: h}\n")
	m, got := load(t, LoadOptions{}, dir)
	want := []loaded{
		{"ServiceAccount", "x", "a", filepath.Join(dir, "list.yaml"), 0, 4},
		{"ServiceAccount", "x", "b", filepath.Join(dir, "list.yaml"), 0, 7},
		{"ServiceAccount", "y", "c", filepath.Join(dir, "sub/export.json"), 0, 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if m.Files != 2 {
		t.Errorf("files %d, want 2", m.Files)
	}
}

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	dir := t.TempDir()
	bad := write(t, dir, "a-bad.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n   bad: indent\n")
	write(t, dir, "b-good.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: good}\n")
	bin := write(t, dir, "c-binary.yaml", "\x00\x01\x02")
	m, got := load(t, LoadOptions{}, dir, filepath.Join(dir, "missing.yaml"))
	wantErrs := []LoadError{
		{File: bad, Line: 9, Message: "invalid YAML: mapping values are not allowed in this context"},
		{File: bin, Line: 1, Message: "not a YAML or JSON text file (binary content)"},
		{File: filepath.Join(dir, "missing.yaml"), Message: "read: no such file or directory"},
	}
	if diff := cmp.Diff(wantErrs, m.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	// The good document of the bad file and the good file are still read.
	if len(got) != 2 || got[0].Name != "ok" || got[1].Name != "good" {
		t.Errorf("objects %v; want ok and good", got)
	}
}

func TestLoadMaxFileSize(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "big.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {k: "+strings.Repeat("x", 2000)+"}\n")
	m, _ := load(t, LoadOptions{MaxFileSize: 1000}, p)
	if len(m.Errors) != 1 || !strings.Contains(m.Errors[0].Message, "larger than the limit of 1000 bytes") {
		t.Fatalf("errors %v", m.Errors)
	}
}

// TestReadAll: a file read with its size in hand lands in one buffer of
// that size (readFile passes it); a wrong size (a file that grew, /proc)
// or none (a pipe) still reads everything, and a read error is returned.
func TestReadAll(t *testing.T) {
	text := strings.Repeat("apiVersion: v1\n", 1000)
	for _, size := range []int64{int64(len(text)), 0, 10, int64(len(text)) * 3} {
		got, err := readAll(iotest.HalfReader(strings.NewReader(text)), size)
		if err != nil || string(got) != text {
			t.Errorf("size %d: %d bytes, %v; want the %d bytes", size, len(got), err, len(text))
		}
	}
	boom := errors.New("boom")
	for _, size := range []int64{0, 100} {
		if _, err := readAll(iotest.ErrReader(boom), size); !errors.Is(err, boom) {
			t.Errorf("size %d: error %v, want %v", size, err, boom)
		}
	}
	p := write(t, t.TempDir(), "a.yaml", text)
	for _, max := range []int64{1 << 20, int64(len(text))} { // above the file's size, and at it
		data, lerr := readFile(p, false, LoadOptions{MaxFileSize: max})
		if lerr != nil || string(data) != text {
			t.Errorf("limit %d: %d bytes, %v; want the file", max, len(data), lerr)
		}
		if cap(data) != len(text)+1 {
			t.Errorf("limit %d: a buffer of %d bytes, want %d", max, cap(data), len(text)+1)
		}
	}
	if _, lerr := readFile(p, false, LoadOptions{MaxFileSize: 100}); lerr == nil || !strings.Contains(lerr.Message, "larger than the limit") {
		t.Errorf("limit 100: %v, want the limit's error", lerr)
	}
}

func TestAliasBombIsBounded(t *testing.T) {
	src := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := 0; i < 9; i++ {
		name := string(rune('b' + i))
		src += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = name
	}
	src = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  " + strings.ReplaceAll(strings.TrimSpace(src), "\n", "\n  ") + "\n"
	m, _ := load(t, LoadOptions{Stdin: strings.NewReader(src)}, "-")
	if len(m.Errors) != 1 || !strings.Contains(m.Errors[0].Message, "too many nodes") {
		t.Fatalf("errors %v; want one alias-expansion error", m.Errors)
	}
}

func TestMergeKeysAndScalars(t *testing.T) {
	src := `base: &base {a: 1, b: two}
apiVersion: v1
kind: ConfigMap
metadata: {name: m}
data:
  <<: *base
  b: three
  n: 0x1F
  f: 1.5
  t: yes
  ts: 2024-01-01T00:00:00Z
`
	m, _ := load(t, LoadOptions{Stdin: strings.NewReader(src)}, "-")
	data := m.Objects[0].Value["data"].(map[string]any)
	want := map[string]any{"a": int64(1), "b": "three", "n": int64(31), "f": 1.5, "t": true, "ts": "2024-01-01T00:00:00Z"}
	if diff := cmp.Diff(want, data); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
}

func TestSplitDocuments(t *testing.T) {
	src := "a: 1\n--- \nb: 2\n---\n--- {c: 3}\n...\n# trailing\n"
	var got []string
	for _, c := range splitDocuments([]byte(src)) {
		got = append(got, string(c.text))
	}
	want := []string{"a: 1\n", "--- \nb: 2\n", "---\n", "--- {c: 3}\n", "# trailing\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chunks (-want +got):\n%s", diff)
	}
}

func TestDeepNestingIsBounded(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
	}{
		{"flow sequences", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n", 4},
		{"json objects", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":` + strings.Repeat(`{"a":`, 2_000) + "1" + strings.Repeat("}", 2_000) + "}", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bad := write(t, dir, "deep.yaml", tc.src)
			good := write(t, dir, "good.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ok, namespace: a}\n")
			m, got := load(t, LoadOptions{}, dir)
			if len(m.Errors) != 1 || m.Errors[0].File != bad || !strings.Contains(m.Errors[0].Message, "depth") && !strings.Contains(m.Errors[0].Message, "deeper") || m.Errors[0].Line != tc.line {
				t.Fatalf("errors %+v; want one depth error for %s at line %d", m.Errors, bad, tc.line)
			}
			if diff := cmp.Diff([]loaded{{"ServiceAccount", "a", "ok", good, 0, 1}}, got); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSymlinkLoopIsNotFollowed(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "a/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ok, namespace: a}\n")
	if err := os.Symlink("..", filepath.Join(dir, "a", "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("self.yaml", filepath.Join(dir, "a", "self.yaml")); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var m *Manifests
	var got []loaded
	go func() {
		defer close(done)
		m, got = load(t, LoadOptions{}, dir)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the scan of a folder with a symlink loop did not end")
	}
	if diff := cmp.Diff([]loaded{{"ServiceAccount", "a", "ok", good, 0, 1}}, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	// The link to itself is an error for that file; the folder link is
	// not followed.
	if len(m.Errors) != 1 || m.Errors[0].File != filepath.Join(dir, "a", "self.yaml") || !strings.Contains(m.Errors[0].Message, "too many levels of symbolic links") {
		t.Errorf("errors %+v", m.Errors)
	}
}

// TestMillionTinyDocuments: a file of a million small documents is read
// with every document counted, and what the load keeps does not grow with
// the skipped documents (README, Limits and guarantees): their objects are
// not retained. Time is the benchmarks' business.
func TestMillionTinyDocuments(t *testing.T) {
	if testing.Short() {
		t.Skip("a million documents")
	}
	var b strings.Builder
	for i := range 1_000_000 {
		fmt.Fprintf(&b, "---\nk: %d\n", i)
	}
	b.WriteString("---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: last, namespace: a}\n")
	p := write(t, t.TempDir(), "many.yaml", b.String())
	b.Reset()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, got := load(t, LoadOptions{}, p)
	runtime.GC()
	runtime.ReadMemStats(&after)
	// The file's 12 MB of text stay (positions are resolved from it); a
	// parsed object per skipped document would be hundreds of MB.
	if kept := int64(after.HeapAlloc) - int64(before.HeapAlloc); kept > 64<<20 {
		t.Errorf("the load keeps %d MB for one object", kept>>20)
	}
	if m.Documents != 1_000_001 || m.Skipped != 1_000_000 || len(m.Errors) != 0 {
		t.Fatalf("documents %d skipped %d errors %v", m.Documents, m.Skipped, m.Errors)
	}
	if diff := cmp.Diff([]loaded{{"ServiceAccount", "a", "last", p, 1_000_000, 2_000_002}}, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
}
