package scanner

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sascan/sascan/internal/gen"
	"gopkg.in/yaml.v3"
)

// textCheck compares the fast path with yaml.v3 over objects: every field
// path of each object, and paths that are not there.
type textCheck struct {
	// budget, when set, bounds the bytes the fast path walks per object
	// (paths times the document's size): the paths of larger objects are
	// sampled evenly, at least minPaths of them.
	budget int

	refs, answered int
	failures       int
}

const (
	minPaths      = 200
	maxFieldPaths = 100_000
)

// objects compares every path of every object, and extra (a path from a
// fuzzer) too.
func (c *textCheck) objects(t *testing.T, objs []RawObject, extra ...string) {
	t.Helper()
	roots := map[*docText]*nodeRoot{}
	for _, o := range objs {
		src := o.Source
		if src == nil || src.doc == nil {
			continue
		}
		r := roots[src.doc]
		if r == nil {
			r = &nodeRoot{plain: plainText(src.doc.text), node: parseRoot(src.doc)}
			roots[src.doc] = r
		}
		paths := fieldPaths(o.Value)
		if c.budget > 0 && len(paths)*len(src.doc.text) > c.budget {
			stride := max(1, len(paths)/max(minPaths, c.budget/len(src.doc.text)))
			var sample []string
			for i := 0; i < len(paths); i += stride {
				sample = append(sample, paths[i])
			}
			paths = sample
		}
		for _, p := range append(paths, extra...) {
			c.refs++
			if !r.plain {
				continue
			}
			got, ok := locateText(src, p)
			if !ok {
				continue
			}
			c.answered++
			if want := locateIn(r.node, src, p); got != want {
				c.failures++
				if c.failures <= 20 {
					t.Errorf("%s doc %d (line %d), path %q: text %v, yaml.v3 %v\n%s", src.File, src.Doc, src.doc.line, p, got, want, excerpt(src.doc.text))
				}
			}
		}
	}
}

// nodeRoot is a document's parse tree, and whether the fast path reads it.
type nodeRoot struct {
	plain bool
	node  *yaml.Node
}

func excerpt(text []byte) string {
	if len(text) > 2000 {
		return string(text[:2000]) + "..."
	}
	return string(text)
}

// rate is the share of references the fast path answered.
func (c *textCheck) rate() float64 {
	if c.refs == 0 {
		return 0
	}
	return float64(c.answered) / float64(c.refs)
}

// fieldPaths lists every path in v (each map key and list index, all the
// way down) and, for each node, paths that are not there: a missing key
// and an index under a map, an index past the end, a negative one and a
// key under a list, a key and an index under a scalar, and text after a
// ':' (a path into a string value). It stops after maxFieldPaths (an
// object that aliases expand).
func fieldPaths(v any) []string {
	var out []string
	var walk func(v any, prefix []Segment)
	add := func(prefix []Segment, s Segment) []Segment {
		if len(out) >= maxFieldPaths {
			return prefix
		}
		p := append(slices.Clip(prefix), s)
		out = append(out, FormatPath(p))
		return p
	}
	walk = func(v any, prefix []Segment) {
		if len(out) >= maxFieldPaths {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(v[k], add(prefix, Segment{Key: k}))
			}
			add(prefix, Segment{Key: "zz-not-there"})
			add(prefix, Segment{Index: 0, IsIdx: true})
		case []any:
			for i, e := range v {
				walk(e, add(prefix, Segment{Index: i, IsIdx: true}))
			}
			add(prefix, Segment{Index: len(v), IsIdx: true})
			add(prefix, Segment{Index: -1, IsIdx: true})
			add(prefix, Segment{Key: "name"})
		default:
			add(prefix, Segment{Key: "deeper"})
			add(prefix, Segment{Index: 0, IsIdx: true})
			if len(prefix) > 0 {
				out = append(out, FormatPath(prefix)+":users[0]")
			}
		}
	}
	walk(v, nil)
	return out
}

func loadBytes(t testing.TB, data []byte) *Manifests {
	t.Helper()
	m, err := LoadManifests(context.Background(), []string{"-"}, LoadOptions{Stdin: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// genDump is a generated dump of n objects of profile p.
func genDump(t testing.TB, p gen.Profile, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gen.WriteProfile(&b, p, n, 7); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// corpusDir is ../shared/corpus when it is there. Absent, the test is
// skipped, unless CI is set: CI runs every test.
func corpusDir(t *testing.T) (string, bool) {
	dir := filepath.Join("..", "..", "shared", "corpus")
	if info, err := os.Stat(dir); err == nil && info.IsDir() {
		return dir, true
	}
	msg := dir + " is not there (it sits beside the checkout, a clone does not have it)"
	if on, _ := strconv.ParseBool(os.Getenv("CI")); on {
		t.Fatalf("CI=%s: %s, and CI must run every test", os.Getenv("CI"), msg)
	}
	t.Skip(msg + ": skipping the comparison over it")
	return "", false
}

// TestLocateTextMatchesYAML: wherever the fast path answers, its answer is
// yaml.v3's, for every field of every object of the repository's
// fixtures, the examples, the corpus and generated dumps; and it answers
// for nearly all of them, so that one that always gives up fails.
func TestLocateTextMatchesYAML(t *testing.T) {
	const minRate = 0.95
	t.Run("generated", func(t *testing.T) {
		for _, p := range gen.Profiles {
			t.Run(string(p), func(t *testing.T) {
				var c textCheck
				c.objects(t, loadBytes(t, genDump(t, p, 3000)).Objects)
				t.Logf("%d references, %.2f%% read off the text", c.refs, 100*c.rate())
				if c.rate() < minRate {
					t.Errorf("the fast path answered %.2f%% of %d references, want at least %.0f%%", 100*c.rate(), c.refs, 100*minRate)
				}
			})
		}
	})
	t.Run("fixtures", func(t *testing.T) {
		var c textCheck
		m, _ := load(t, LoadOptions{}, "../testdata", "../examples")
		c.objects(t, m.Objects)
		t.Logf("%d objects, %d references, %.2f%% read off the text", len(m.Objects), c.refs, 100*c.rate())
		if c.rate() < minRate {
			t.Errorf("the fast path answered %.2f%% of %d references, want at least %.0f%%", 100*c.rate(), c.refs, 100*minRate)
		}
	})
	t.Run("corpus", func(t *testing.T) {
		dir, ok := corpusDir(t)
		if !ok {
			return
		}
		c := textCheck{budget: 5 << 20}
		m, _ := load(t, LoadOptions{}, dir)
		c.objects(t, m.Objects)
		t.Logf("%d objects, %d references, %.2f%% read off the text", len(m.Objects), c.refs, 100*c.rate())
	})
}

// TestLocateTextCases: the constructs the fast path reads, and those it
// leaves to yaml.v3, one by one.
func TestLocateTextCases(t *testing.T) {
	const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
	tests := []struct {
		name, doc, path string
		want            Position // zero: the fast path must give up
	}{
		{"block key", pod + "spec:\n  serviceAccountName: x\n", "spec.serviceAccountName", Position{6, 3}},
		{"missing key: the deepest found", pod + "spec:\n  a: 1\n", "spec.b", Position{5, 1}},
		{"nothing found: the root", "# c\n" + pod, "nope", Position{2, 1}},
		{"indentless sequence", pod + "spec:\n  containers:\n  - name: a\n  - name: b\n    image: i\n", "spec.containers[1].image", Position{9, 5}},
		{"sequence item", pod + "spec:\n  containers:\n  - name: a\n  - name: b\n", "spec.containers[1]", Position{8, 5}},
		{"index past the end", pod + "spec:\n  containers:\n  - name: a\n", "spec.containers[3]", Position{6, 3}},
		{"flow mapping", pod + "  labels: {a: 1, b.c/d: 2}\n", `metadata.labels["b.c/d"]`, Position{5, 18}},
		{"flow sequence of mappings", pod + "subjects: [{kind: SA, name: a}, {kind: SA, name: b}]\n", "subjects[1].name", Position{5, 44}},
		{"flow item", pod + "subjects: [{kind: SA, name: a}, {kind: SA, name: b}]\n", "subjects[1]", Position{5, 33}},
		{"non-ASCII before a flow key: columns count characters", pod + "  labels: {é: ü, b: 2}\n", "metadata.labels.b", Position{5, 18}},
		{"block scalar skipped", pod + "data:\n  a: |2\n     x\n    y\n  b: 1\n", "data.b", Position{9, 3}},
		{"block scalar lines that look like keys", pod + "data:\n  a: |\n    b: 1\n  b: 2\n", "data.b", Position{8, 3}},
		{"plain scalar continued", pod + "data:\n  a: x\n    - y\n    \"q [\n  b: 2\n", "data.b", Position{9, 3}},
		{"duplicate keys: the first", pod + "data:\n  a: 1\n  a: 2\n", "data.a", Position{6, 3}},
		{"quoted keys", pod + "data:\n  'it''s': 1\n  \"b\": 2\n", "data[\"it's\"]", Position{6, 3}},
		{"trailing spaces before the colon", pod + "data:\n  a  : 1\n", "data.a", Position{6, 3}},
		{"key:value is no key", pod + "data:\n  a:b: 1\n", "data[\"a:b\"]", Position{6, 3}},
		{"CRLF", "apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  x: 1\r\n", "spec.x", Position{4, 3}},
		{"a multi-line quoted scalar is a scalar", pod + "data:\n  a: \"x\n  y\"\n", "data.a.b", Position{6, 3}},
		{"a multi-line flow mapping, the key on its first line", pod + "data: {a: 1,\n  b: 2}\n", "data.a", Position{5, 8}},
		{"multi-line flow mapping, the key below", pod + "data: {a: 1,\n  b: 2}\n", "data.b", Position{}},
		{"multi-line quoted scalar on the way", pod + "data:\n  a: \"x\nb: y\"\n  b: 1\n", "data.b", Position{}},
		{"multi-line flow on the way", pod + "data:\n  a: [1,\n 2]\n  b: 1\n", "data.b", Position{}},
		{"anchor", pod + "data: &d\n  a: 1\n", "data.a", Position{}},
		{"alias on the way", pod + "y: &y 1\nx: *y\ndata:\n  a: 1\n", "data.a", Position{}},
		{"tag", pod + "data: !!map\n  a: 1\n", "data.a", Position{}},
		{"complex key", pod + "? a\n: 1\ndata: 2\n", "data", Position{}},
		{"implicit pair in a flow sequence", pod + "data: [a: 1]\n", "data[0]", Position{}},
		{"empty item", pod + "data:\n-\n- a\n", "data[0]", Position{}},
		{"tab after a colon on the way", pod + "x:\t1\ndata: 2\n", "data", Position{}},
		{"double-quoted key with an escape", pod + "\"data\\u0041\": 1\n", "data", Position{}},
		{"BOM", "\ufeff" + pod, "kind", Position{}},
		{"lone CR", pod + "data: |\n  a\r  b\nz: 1\n", "z", Position{}},
		{"content on the --- line", "--- !!map\n" + pod, "kind", Position{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := loadBytes(t, []byte(tc.doc))
			if len(m.Objects) != 1 || len(m.Errors) > 0 {
				t.Fatalf("%d objects, errors %v", len(m.Objects), m.Errors)
			}
			src := m.Objects[0].Source
			want := locateIn(parseRoot(src.doc), src, tc.path)
			got, ok := locateText(src, tc.path)
			if !plainText(src.doc.text) {
				ok = false
			}
			switch {
			case tc.want == Position{} && ok:
				t.Errorf("the fast path answered %v (yaml.v3 %v), want it to give up", got, want)
			case tc.want != Position{} && !ok:
				t.Errorf("the fast path gave up, want %v", tc.want)
			case ok && got != tc.want:
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if tc.want != (Position{}) && want != tc.want {
				t.Errorf("yaml.v3 gives %v, the case says %v: fix the case", want, tc.want)
			}
			if got := Locate([]FieldRef{{src, tc.path}}); got[0] != want {
				t.Errorf("Locate: %v, want yaml.v3's %v", got[0], want)
			}
		})
	}
}

// FuzzLocate: for any document and path, the fast path gives yaml.v3's
// answer whenever it answers, for the path and every field of every
// object, and never panics.
func FuzzLocate(f *testing.F) {
	files, _ := filepath.Glob("../testdata/rules/*/*.yaml")
	more, _ := filepath.Glob("../examples/demo/*.yaml")
	for _, p := range append(files, more...)[:min(len(files)+len(more), 40)] {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, "spec.template.spec.containers[0].env[0]")
		}
	}
	const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
	for _, s := range []string{
		pod + "spec:\n  a: \"x\nb: y\"\n  b: 1\n",
		pod + "spec:\n  a: [1,\n2]\n  b: {c: [d, {e: f}], 'g''h': \"i\"}\n",
		pod + "spec:\n  containers:\n  - name: a\n    args:\n    - -x\n    - |+2\n       y\n    env:\n    - {name: A, value: b}\n",
		pod + "spec: &s\n  a: 1\nother:\n  <<: *s\n  b: 2\n",
		"---\r\napiVersion: v1\r\nkind: List\r\nitems:\r\n- apiVersion: v1\r\n  kind: Pod\r\n  metadata: {name: a}\r\n-   apiVersion: v1\n    kind: Pod\n",
		"  apiVersion: v1\n  kind: Pod\n  data:\n   a: >-\n     x\n\n     y\n   b: é # ü\n",
		pod + "spec:\n- - a\n  - b\n- c: d\n  e:\n  - f\n",
		pod + "spec: {a: b:c, d:e, 'x': y, \"z\":1, w}\n",
	} {
		f.Add([]byte(s), "spec.b")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		f.Add([]byte(randomDoc(r)), "a.b[0]")
	}
	f.Fuzz(func(t *testing.T, data []byte, path string) {
		m, err := LoadManifests(context.Background(), []string{"-"}, LoadOptions{Stdin: bytes.NewReader(data), MaxFileSize: 1 << 15})
		if err != nil {
			t.Fatal(err)
		}
		c := textCheck{budget: 1 << 20}
		c.objects(t, m.Objects, path)
	})
}

// BenchmarkLocate: the positions of findings-like references in a
// generated mix dump, read off the text and with yaml.v3 alone.
func BenchmarkLocate(b *testing.B) {
	// The paths the built-in rules report most, where the object has them.
	paths := []string{
		"spec.template.spec", "spec", "subjects[0]", "spec.template.spec.serviceAccountName",
		"spec.serviceAccountName", "spec.template.spec.volumes[1].projected.sources[0]",
		"spec.volumes[1].projected.sources[0]", "type", "roleRef", "rules[0]",
		`metadata.annotations["kubernetes.io/service-account.name"]`,
		"spec.jobTemplate.spec.template.spec", "spec.template.spec.containers[0].env[2].valueFrom.secretKeyRef",
	}
	// Each generator profile: the corpus mix of kinds, dense RBAC with
	// group bindings, cross-namespace bindings and attack paths.
	for _, profile := range gen.Profiles {
		m := loadBytes(b, genDump(b, profile, 5000))
		var refs []FieldRef
		for _, o := range m.Objects {
			for _, p := range paths {
				if has(o.Value, ParsePath(p)) {
					refs = append(refs, FieldRef{o.Source, p})
				}
			}
		}
		for _, bc := range []struct {
			name string
			opts locateOptions
		}{{"text", locateOptions{}}, {"yaml", locateOptions{YAMLOnly: true}}} {
			b.Run(fmt.Sprintf("profile=%s/%s", profile, bc.name), func(b *testing.B) {
				for b.Loop() {
					locate(refs, bc.opts)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(refs)), "ns/ref")
			})
		}
	}
}

// has reports whether v has every segment of segs.
func has(v any, segs []Segment) bool {
	for _, s := range segs {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[s.Key]; !ok || s.IsIdx {
				return false
			}
		case []any:
			if !s.IsIdx || s.Index >= len(x) {
				return false
			}
			v = x[s.Index]
		default:
			return false
		}
	}
	return true
}

// TestLocateTextRandomDocuments: the differential test over documents
// built at random from the constructs the fast path reads or must refuse:
// nested block collections at odd indentations, indentless and compact
// sequences, flow collections on one line and on several, every scalar
// style, comments and blank lines anywhere, anchors, tags, duplicate and
// quoted keys, CRLF line ends, List documents.
func TestLocateTextRandomDocuments(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var stream bytes.Buffer
	const docs = 3000
	for range docs {
		stream.WriteString("---\n")
		stream.WriteString(randomDoc(r))
	}
	m := loadBytes(t, stream.Bytes())
	var c textCheck
	c.objects(t, m.Objects)
	parsed := docs - len(m.Errors)
	t.Logf("%d of %d documents parse, %d references, %.2f%% read off the text", parsed, docs, c.refs, 100*c.rate())
	if parsed < docs*3/4 || c.rate() < 0.5 {
		t.Errorf("%d of %d random documents parse, %.2f%% of their references read off the text: fix the generator", parsed, docs, 100*c.rate())
	}
}

// randomDoc is a Kubernetes object with random content.
func randomDoc(r *rand.Rand) string {
	var b strings.Builder
	g := docGen{r: r, b: &b, refused: r.IntN(3) > 0} // most without
	if r.IntN(8) == 0 {
		b.WriteString("# a comment\n\n")
	}
	base := 0
	if r.IntN(20) == 0 {
		base = 1 + r.IntN(2) // the root mapping indented
	}
	if r.IntN(6) == 0 {
		b.WriteString(strings.Repeat(" ", base) + "apiVersion: v1\n" + strings.Repeat(" ", base) + "kind: List\n" + strings.Repeat(" ", base) + "items:\n")
		ind := base + r.IntN(3)
		for range 1 + r.IntN(3) {
			b.WriteString(strings.Repeat(" ", ind) + "- apiVersion: v1\n" + strings.Repeat(" ", ind+2) + "kind: Pod\n")
			g.entries(ind+2, 2)
		}
	} else {
		b.WriteString(strings.Repeat(" ", base) + "apiVersion: v1\n" + strings.Repeat(" ", base) + "kind: Pod\n")
		g.entries(base, 0)
	}
	s := b.String()
	if r.IntN(10) == 0 {
		s = strings.ReplaceAll(s, "\n", "\r\n")
	}
	return s
}

type docGen struct {
	r        *rand.Rand
	b        *strings.Builder
	anchored bool // "&a" written: "*a" may follow
	refused  bool // a construct the fast path refuses written
}

func (g *docGen) pick(s ...string) string { return s[g.r.IntN(len(s))] }

func (g *docGen) line(indent int, s string) {
	g.b.WriteString(strings.Repeat(" ", indent) + s + "\n")
}

// key is a mapping key, of every form.
func (g *docGen) key() string {
	if g.r.IntN(15) == 0 && !g.refused {
		g.refused = true
		return g.pick("[k]", "? k", "&an a", "!t a", `"e\"x"`, "a\t")
	}
	return g.pick("a", "b", "name", "spec", "a.b/c", "x y", "a:b", "-k", "k#x", "é", "a  ",
		"'q'", "'it''s'", `"dq"`, "''", "<<")
}

// scalar is a value on the key's line: every scalar style, flow
// collections, and what makes nodes the fast path refuses.
func (g *docGen) scalar(indent int) string {
	// Constructs that make the fast path give up come once at most, so
	// that it is tested past them in the same document.
	c := g.r.IntN(30)
	switch c {
	case 3, 4, 5, 8:
		if g.refused {
			c = 0
		}
		g.refused = true
	}
	switch c {
	case 0, 10, 11, 12, 13:
		return g.pick("x", "1", "true", "a b c", "http://x", "-x", "é ü", "x # c", "a'b", `a"b`, "x:y", "a #b: c")
	case 1, 14, 15:
		return g.pick("'x'", "'it''s'", `"x"`, `"a\"b"`, `"a\\"`, "''", `"é"`)
	case 2, 16, 17, 18, 19:
		return g.pick("{a: 1, b: [x, y], 'c': \"d\"}", "[{name: A, value: b}, {name: C}]", "{a: b:c, d:e, w}", "[a, [b, [c]], {d: e}]", "{}", "[]", "{a: }", "[a: b]", "{\"a\":1,\"b\":{\"c\":2}}", "[a, b,]", "{é: ü, x: 1}")
	case 3:
		return "[a,\n" + strings.Repeat(" ", indent+g.r.IntN(3)) + "b]"
	case 4:
		return "{a: 1,\n" + strings.Repeat(" ", g.r.IntN(indent+3)) + "b: 2}"
	case 5:
		return "\"multi\n" + strings.Repeat(" ", g.r.IntN(indent+3)) + "line\""
	case 6, 20:
		return "plain\n" + strings.Repeat(" ", indent+1+g.r.IntN(3)) + g.pick("continued", "- x", "\"q", "[b", "# c", "a:b")
	case 7, 21, 22:
		// Lines indented at least as much as the first: content.
		more := 1 + g.r.IntN(3)
		hdr := g.pick("|", ">", "|-", ">+", "> # c", "|\t", fmt.Sprintf("|%d", more), fmt.Sprintf("|%d-", more), fmt.Sprintf("|+%d", more))
		body := ""
		for range g.r.IntN(4) {
			body += strings.Repeat(" ", indent+more+g.r.IntN(2)) + g.pick("text", "a: b", "- x", "# no comment", "\"q", "") + "\n"
		}
		return hdr + "\n" + strings.TrimSuffix(body, "\n")
	case 8:
		if g.anchored && g.r.IntN(2) == 0 {
			return "*a"
		}
		v := g.pick("&a x", "!!str x", "!t {a: 1}", "&a [1]")
		g.anchored = g.anchored || v[0] == '&'
		return v
	case 9, 23:
		return g.pick("# only a comment", "", "   ")
	}
	return g.pick("v", "value", "80", "registry.example.com/app:1.0")
}

// entries writes a block mapping's entries at indent.
func (g *docGen) entries(indent, depth int) {
	for range 1 + g.r.IntN(4) {
		g.junk(indent)
		k := g.key()
		switch {
		case depth < 4 && g.r.IntN(3) == 0:
			g.line(indent, k+":"+g.pick("", " # c", " "))
			g.entries(indent+1+g.r.IntN(4), depth+1)
		case depth < 4 && g.r.IntN(3) == 0:
			g.line(indent, k+":")
			g.items(indent+g.r.IntN(4), depth+1, false)
		default:
			g.line(indent, k+": "+g.scalar(indent))
		}
	}
}

// items writes a block sequence's items with their dashes at indent (the
// first dash where the builder is when inline).
func (g *docGen) items(indent, depth int, inline bool) {
	for i := range 1 + g.r.IntN(4) {
		if !inline || i > 0 {
			g.junk(indent)
			g.b.WriteString(strings.Repeat(" ", indent))
		}
		switch g.r.IntN(6) {
		case 0:
			// A compact mapping: "- a: 1" and its other keys below.
			gap := 1 + g.r.IntN(3)
			g.b.WriteString("-" + strings.Repeat(" ", gap))
			g.b.WriteString(g.key() + ": " + g.scalar(indent+1+gap) + "\n")
			if depth < 4 {
				g.entries(indent+1+gap, depth+1)
			}
		case 1:
			// A compact sequence: "- - x".
			g.b.WriteString("- ")
			g.items(indent+2, depth+1, true)
		case 2:
			// The item on the lines below.
			g.line(0, "-"+g.pick("", " # c"))
			if depth < 4 && g.r.IntN(4) > 0 {
				g.entries(indent+1+g.r.IntN(3), depth+1)
			}
		default:
			g.line(0, "- "+g.scalar(indent))
		}
	}
}

// junk writes, sometimes, a blank line or a comment at any indentation.
func (g *docGen) junk(indent int) {
	switch g.r.IntN(10) {
	case 0:
		g.b.WriteString("\n")
	case 1:
		g.line(g.r.IntN(indent+3), "# comment: [ { \"")
	case 2:
		g.line(g.r.IntN(indent+3), "")
	}
}

// TestPlainText: the text the fast paths read, and what they leave to
// yaml.v3: other line breaks, a BOM, and what its reader refuses.
func TestPlainText(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"empty", "", true},
		{"LF and CRLF", "a: b\r\nc: d\n", true},
		{"tab", "a:\tb\n", true},
		{"non-ASCII", "a: é 日本 😀 \ufffd\n", true},
		{"a lone CR", "a: b\rc: d\n", false},
		{"a CR at the end", "a: b\r", false},
		{"NEL", "a: \u0085\n", false},
		{"LS", "a: \u2028\n", false},
		{"PS", "a: \u2029\n", false},
		{"a BOM", "\ufeffa: b\n", false},
		{"a BOM inside", "a: \ufeffb\n", false},
		{"UTF-16", "\xff\xfea\x00", false},
		{"a control character", "a: \x01\n", false},
		{"NUL", "a: \x00\n", false},
		{"DEL", "a: \x7f\n", false},
		{"a C1 control character", "a: \u0090\n", false},
		{"not a character", "a: \uffff\n", false},
		{"invalid UTF-8", "a: \xc3\n", false},
		{"an overlong encoding", "a: \xc0\xaf\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := plainText([]byte(tc.text)); got != tc.want {
				t.Errorf("plainText(%q) = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}
