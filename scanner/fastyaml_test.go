package scanner

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sascan/sascan/internal/gen"
)

// chunkResults compares what the two paths give for a document: values
// with their Go types, sources with their documents, warnings, flags.
var chunkResults = cmp.Options{
	cmp.AllowUnexported(chunkResult{}, Source{}, docText{}),
}

// fastCheck compares the fast path with yaml.v3 over documents.
type fastCheck struct {
	d                        fastDecoder // reused, as a loader's worker does
	docs, accepted, failures int
}

// document compares the paths over one document: where the fast path
// accepts it, its result must be yaml.v3's.
func (c *fastCheck) document(t testing.TB, fc fileChunk) {
	t.Helper()
	c.docs++
	got, ok := c.d.decodeDocument(fc)
	if !ok {
		return
	}
	c.accepted++
	want := parseDocumentYAML(fc)
	if !reflect.DeepEqual(want, got) {
		if diff := cmp.Diff(want, got, chunkResults); diff != "" {
			c.fail(t, fc, diff)
			return
		}
	}
	// The document's whole value too: a result keeps only Kubernetes
	// objects, and of a List only its items.
	doc, _ := c.d.decode(fc.c.text)
	var wantValue any
	if root, lerr := parseChunk(fc.c); lerr == nil && root != nil {
		var conv converter
		wantValue, _ = conv.value(root, 0)
	}
	if !reflect.DeepEqual(wantValue, doc.value) {
		c.fail(t, fc, cmp.Diff(wantValue, doc.value))
	}
}

func (c *fastCheck) fail(t testing.TB, fc fileChunk, diff string) {
	t.Helper()
	c.failures++
	if c.failures <= 10 {
		t.Errorf("%s document %d (line %d): fast path differs from yaml.v3 (-yaml.v3 +fast):\n%s\ndocument:\n%s", fc.file, fc.doc, fc.c.line, diff, excerpt(fc.c.text))
	}
}

// file compares the paths over every document of data.
func (c *fastCheck) file(t testing.TB, name string, data []byte) {
	t.Helper()
	for i, ch := range splitDocuments(data) {
		c.document(t, fileChunk{file: name, c: ch, doc: i})
	}
}

// tree compares the paths over every document of every text file under
// the folders.
func (c *fastCheck) tree(t *testing.T, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if !isBinary(data) {
				c.file(t, p, data)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (c *fastCheck) rate() float64 {
	if c.docs == 0 {
		return 0
	}
	return float64(c.accepted) / float64(c.docs)
}

// TestFastDecodeMatchesYAML: wherever the fast path decodes a document,
// its result is yaml.v3's, for every document of the repository's
// fixtures and examples, of generated dumps and of the real-world corpus;
// and it decodes nearly all generated ones, so that a fast path that
// always gives up fails.
func TestFastDecodeMatchesYAML(t *testing.T) {
	t.Run("generated", func(t *testing.T) {
		for _, p := range gen.Profiles {
			t.Run(string(p), func(t *testing.T) {
				var c fastCheck
				c.file(t, "gen.yaml", genDump(t, p, 3000))
				t.Logf("%d documents, %.2f%% decoded by the fast path", c.docs, 100*c.rate())
				if c.rate() < 0.999 {
					t.Errorf("the fast path decoded %.2f%% of %d documents, want at least 99.9%%", 100*c.rate(), c.docs)
				}
			})
		}
	})
	t.Run("fixtures", func(t *testing.T) {
		var c fastCheck
		c.tree(t, "../testdata", "../cmd/sascan/testdata", "../examples")
		t.Logf("%d documents, %.2f%% decoded by the fast path", c.docs, 100*c.rate())
		if c.rate() < 0.8 {
			t.Errorf("the fast path decoded %.2f%% of %d documents, want at least 80%%", 100*c.rate(), c.docs)
		}
	})
	t.Run("corpus", func(t *testing.T) {
		dir, ok := corpusDir(t)
		if !ok {
			return
		}
		var c fastCheck
		c.tree(t, dir)
		t.Logf("%d documents, %.2f%% decoded by the fast path", c.docs, 100*c.rate())
		if c.rate() < 0.8 {
			t.Errorf("the fast path decoded %.2f%% of %d documents, want at least 80%%", 100*c.rate(), c.docs)
		}
	})
}

// TestFastDecodeRandomDocuments: the differential test over documents
// written at random from random values in the styles the fast path reads
// (block and flow collections, indentless and compact sequences, every
// scalar style, comments, CRLF) with tricky scalars, and over the
// documents TestLocateTextRandomDocuments writes (constructs the fast path
// must refuse among them). SASCAN_RANDOM_DOCS=n writes n documents
// instead of 20,000, for a longer search.
func TestFastDecodeRandomDocuments(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var c fastCheck
	docs := 20000
	if n, err := strconv.Atoi(os.Getenv("SASCAN_RANDOM_DOCS")); err == nil {
		docs = n
	}
	for range docs {
		c.file(t, "random.yaml", []byte(randomYAML(r)))
	}
	t.Logf("%d documents, %.2f%% decoded by the fast path", c.docs, 100*c.rate())
	if c.rate() < 0.5 {
		t.Errorf("the fast path decoded %.2f%% of %d random documents: fix the generator", 100*c.rate(), c.docs)
	}
	var refusing fastCheck
	for range docs / 4 {
		refusing.file(t, "random.yaml", []byte(randomDoc(r)))
	}
	t.Logf("%d documents of TestLocateTextRandomDocuments, %.2f%% decoded by the fast path", refusing.docs, 100*refusing.rate())
}

// trickyScalars are scalars whose resolution or quoting is easy to get
// wrong.
var trickyScalars = []string{
	"", "0", "1", "-1", "+1", "01", "-01", "00", "-0", "+0", "0x1F", "0X1f", "0o17", "0O17", "0b101", "-0b101", "1_000", "_1", "1__0",
	"0.0", "1.", ".5", "-.5", "1.5e+3", "1e3", "1E3", "6.02e23", "1.0e", "0x_1", "0o_7", "0b_1",
	".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", ".nan", ".NaN", ".NAN", "inf", "nan", "Infinity",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
	"123456789012345678", "1234567890123456789", "999999999999999999",
	"~", "null", "Null", "NULL", "nUll", "true", "True", "TRUE", "tRue", "false", "False", "FALSE",
	"yes", "Yes", "YES", "yEs", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", "o", "t", "f",
	"2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z", "1999-1-1", "12:30", "1:2:3",
	"<<", "=", "a: b", "a:b", "a #b", "a#b", "#", "- a", "-a", "-", "?a", "? a", ":a", ": a", "a:", "http://x:80/y",
	"é", "ü x", "日本", "'", "''", "\"", "\\", "a\tb", " lead", "trail ", "multi\nline", "\n", "x\n\ny", "x\n", "\nx", "  x\n y",
	"[a]", "{a}", "{a: b}", "a,b", "a, b", "&a", "*a", "!t", "!!str", "|", ">", "%x", "@x", "`x", "a'b", "a\"b", "\\n", "\x01", "\x7f", "\u0085", "\u2028", "\ufeff",
	"registry.example.com/app:1.0", "100m", "128Mi", "0.5", "1Gi", "system:serviceaccounts:team", "*", "/healthz",
}

// randomYAML is a document written from random values.
func randomYAML(r *rand.Rand) string {
	g := yamlGen{r: r}
	if r.IntN(10) == 0 {
		g.b.WriteString("# a comment\n")
	}
	if r.IntN(3) == 0 {
		g.b.WriteString(g.pick("---\n", "--- # c\n", "---  \n"))
	}
	root := g.mapping(0)
	if r.IntN(2) == 0 {
		root = append([]kv{{"apiVersion", "v1"}, {"kind", g.pick("Pod", "List", "ConfigList", "Secret")}}, root...)
	}
	if r.IntN(4) == 0 {
		var items []any
		for range r.IntN(4) {
			items = append(items, unique(append([]kv{{"apiVersion", "v1"}, {g.pick("kind", "Kind", "KIND"), "Pod"}}, g.mapping(2)...)))
		}
		root = append(root, kv{"items", items})
	}
	if r.IntN(50) > 0 {
		root = unique(root)
	}
	if len(root) == 0 {
		root = []kv{{"a", "b"}}
	}
	base := 0
	if r.IntN(20) == 0 {
		base = 1 + r.IntN(2)
	}
	g.blockMapping(root, base, -1)
	s := g.b.String()
	if r.IntN(5) == 0 {
		s = strings.TrimSuffix(s, "\n")
	}
	if r.IntN(10) == 0 {
		s = strings.ReplaceAll(s, "\n", "\r\n")
	}
	return s
}

// kv is a mapping entry; a mapping is []kv, a sequence []any, a scalar a
// string.
type kv struct {
	key   string
	value any
}

type yamlGen struct {
	r *rand.Rand
	b strings.Builder
}

func (g *yamlGen) pick(s ...string) string { return s[g.r.IntN(len(s))] }

func (g *yamlGen) scalar() string {
	switch g.r.IntN(4) {
	case 0:
		return trickyScalars[g.r.IntN(len(trickyScalars))]
	case 1:
		return g.pick("x", "value", "a b", "app", "80", "true", "v1", "-x", "é")
	}
	return g.pick("nginx", "web", "8080", "info", "db.svc.cluster.local", "ReadWriteOnce", "IfNotPresent", "3")
}

func (g *yamlGen) value(depth int) any {
	if depth > 4 {
		return g.scalar()
	}
	switch g.r.IntN(6) {
	case 0:
		return g.mapping(depth + 1)
	case 1:
		var s []any
		for range g.r.IntN(4) {
			s = append(s, g.value(depth+1))
		}
		return s
	}
	return g.scalar()
}

func (g *yamlGen) mapping(depth int) []kv {
	var m []kv
	for range g.r.IntN(5) {
		k := g.pick("a", "b", "name", "spec", "items", "kind", "Kind", "apiversion", "a.b/c", "x y", "-k", "é")
		if g.r.IntN(8) == 0 {
			k = g.scalar()
		}
		m = append(m, kv{k, g.value(depth)})
	}
	if g.r.IntN(50) > 0 {
		m = unique(m)
	}
	return m
}

// unique drops the entries of m whose key an earlier one has.
func unique(m []kv) []kv {
	seen := map[string]bool{}
	var out []kv
	for _, e := range m {
		if !seen[e.key] {
			seen[e.key] = true
			out = append(out, e)
		}
	}
	return out
}

func (g *yamlGen) junk(indent int) {
	switch g.r.IntN(12) {
	case 0:
		g.b.WriteString("\n")
	case 1:
		g.b.WriteString(strings.Repeat(" ", g.r.IntN(indent+3)) + "# c: [ { \" '\n")
	case 2:
		g.b.WriteString(strings.Repeat(" ", g.r.IntN(indent+3)) + "\n")
	}
}

// blockMapping writes m's entries at indent; the first at the cursor when
// inline (after "- ").
func (g *yamlGen) blockMapping(m []kv, indent int, inline int) {
	if len(m) == 0 {
		if inline < 0 {
			g.b.WriteString(strings.Repeat(" ", indent))
		}
		g.b.WriteString("{}\n")
		return
	}
	for i, e := range m {
		if inline < 0 || i > 0 {
			g.junk(indent)
			g.b.WriteString(strings.Repeat(" ", indent))
		}
		g.b.WriteString(g.key(e.key) + ":")
		g.blockValue(e.value, indent, true)
	}
}

func (g *yamlGen) key(k string) string {
	switch g.r.IntN(8) {
	case 0:
		return singleQuoted(k)
	case 1:
		return doubleQuoted(k)
	}
	return k
}

// blockValue writes v after "key:" or "-" of a collection at indent.
func (g *yamlGen) blockValue(v any, indent int, mapValue bool) {
	step := 1 + g.r.IntN(3)
	switch v := v.(type) {
	case []kv:
		if len(v) == 0 || g.r.IntN(4) == 0 {
			g.b.WriteString(" " + g.flow(v) + g.comment())
			return
		}
		if !mapValue && g.r.IntN(2) == 0 {
			gap := 1 + g.r.IntN(2)
			g.b.WriteString(strings.Repeat(" ", gap))
			g.blockMapping(v, indent+1+gap, 0)
			return
		}
		g.b.WriteString(g.comment() + "\n")
		g.blockMapping(v, indent+step, -1)
	case []any:
		if len(v) == 0 || g.r.IntN(4) == 0 {
			g.b.WriteString(" " + g.flow(v) + g.comment())
			return
		}
		if !mapValue && g.r.IntN(3) == 0 {
			g.b.WriteString(" ")
			g.blockSequence(v, indent+2, true)
			return
		}
		g.b.WriteString(g.comment() + "\n")
		if mapValue && g.r.IntN(2) == 0 {
			step = 0 // indentless
		}
		g.blockSequence(v, indent+step, false)
	case string:
		g.blockScalar(v, indent)
	}
}

func (g *yamlGen) blockSequence(s []any, indent int, inline bool) {
	for i, v := range s {
		if !inline || i > 0 {
			g.junk(indent)
			g.b.WriteString(strings.Repeat(" ", indent))
		}
		g.b.WriteString("-")
		g.blockValue(v, indent, false)
	}
}

func (g *yamlGen) comment() string {
	if g.r.IntN(8) == 0 {
		return g.pick(" # c", "  #: x", " #")
	}
	return ""
}

// blockScalar writes scalar s after "key:" or "-" at indent, in a random
// style.
func (g *yamlGen) blockScalar(s string, indent int) {
	switch g.r.IntN(10) {
	case 0:
		g.b.WriteString(" " + singleQuoted(s) + g.comment() + "\n")
	case 1:
		g.b.WriteString(" " + doubleQuoted(s) + g.comment() + "\n")
	case 2:
		// Quoted on several lines.
		q := g.pick(singleQuoted(s), doubleQuoted(s))
		q = strings.ReplaceAll(q, " ", g.pick("\n", "\n\n", " \n  ", "\\\n"+strings.Repeat(" ", g.r.IntN(indent+3))))
		g.b.WriteString(" " + q + "\n")
	case 3, 4:
		// A block scalar.
		more := 1 + g.r.IntN(3)
		hdr := g.pick("|", ">", "|-", ">-", "|+", ">+", fmt.Sprintf("|%d", more), fmt.Sprintf(">%d-", more), fmt.Sprintf("|+%d", more), "| # c")
		g.b.WriteString(" " + hdr + "\n")
		for _, line := range strings.Split(s, "\n") {
			pad := indent + more
			if line != "" && g.r.IntN(5) == 0 {
				pad += g.r.IntN(3) // more indented: kept
			}
			if line == "" && g.r.IntN(2) == 0 {
				pad = g.r.IntN(indent + more + 2)
			}
			g.b.WriteString(strings.Repeat(" ", pad) + line + "\n")
		}
		if g.r.IntN(3) == 0 {
			g.b.WriteString("\n")
		}
	case 5:
		// A plain scalar on more lines.
		words := strings.Fields(s + " " + g.scalar())
		g.b.WriteString(" ")
		for i, w := range words {
			if i > 0 {
				g.b.WriteString(g.pick(" ", "\n", "\n\n", " \n ") + strings.Repeat(" ", indent+1+g.r.IntN(3)))
			}
			g.b.WriteString(w)
		}
		g.b.WriteString(g.comment() + "\n")
	case 6:
		// On the next line.
		g.b.WriteString("\n" + strings.Repeat(" ", indent+1+g.r.IntN(3)) + s + "\n")
	default:
		if s == "" && g.r.IntN(2) == 0 {
			g.b.WriteString(g.comment() + "\n")
			return
		}
		g.b.WriteString(" " + s + g.comment() + "\n")
	}
}

// flow writes v as a flow collection.
func (g *yamlGen) flow(v any) string {
	switch v := v.(type) {
	case []kv:
		var parts []string
		for _, e := range v {
			sep := g.pick(": ", ":  ", " : ")
			if g.r.IntN(3) == 0 {
				parts = append(parts, doubleQuoted(e.key)+g.pick(":", ": ")+g.flow(e.value))
				continue
			}
			parts = append(parts, g.key(e.key)+sep+g.flow(e.value))
		}
		return "{" + strings.Join(parts, g.pick(", ", ",", " , ")) + "}"
	case []any:
		var parts []string
		for _, e := range v {
			parts = append(parts, g.flow(e))
		}
		return "[" + strings.Join(parts, g.pick(", ", ",", " ,  ")) + "]"
	case string:
		switch g.r.IntN(4) {
		case 0:
			return singleQuoted(v)
		case 1:
			return doubleQuoted(v)
		}
		return v
	}
	return ""
}

func singleQuoted(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func doubleQuoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0x7f && r < 0xa0 || r == 0x2028 || r == 0xfeff:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// nested is n sequences, one in the other.
func nested(n int) any {
	v := []any{}
	for range n - 1 {
		v = []any{v}
	}
	return v
}

// deepBlocks is a document of n mappings, one in the other.
func deepBlocks(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	return b.String()
}

// TestFastDecodeCases: what the fast path makes of each construct it
// reads, value and Go type, and the constructs it leaves to yaml.v3. Each
// accepted case is also checked against yaml.v3.
func TestFastDecodeCases(t *testing.T) {
	type m = map[string]any
	type s = []any
	tests := []struct {
		name string
		doc  string
		want any // the value; ignored when refused
		ok   bool
	}{
		{"empty", "", nil, true},
		{"comments only", "# a\n\n  # b\n", nil, true},
		{"a marker and a comment", "--- # c\n# d\n", nil, true},
		{"a marker", "---\na: b\n", m{"a": "b"}, true},
		{"CRLF", "---\r\na: b\r\nc:\r\n- d\r\n", m{"a": "b", "c": s{"d"}}, true},
		{"no final line break", "a: b", m{"a": "b"}, true},
		{"an indented root", "  a: 1\n  b: 2\n", m{"a": int64(1), "b": int64(2)}, true},
		{"nested mappings", "a:\n  b:\n     c: d\n  e: f\n", m{"a": m{"b": m{"c": "d"}, "e": "f"}}, true},
		{"empty values", "a:\nb: # c\nc: ''\n", m{"a": nil, "b": nil, "c": ""}, true},
		{"a sequence", "a:\n  - b\n  -   c\n", m{"a": s{"b", "c"}}, true},
		{"an indentless sequence", "a:\n- b\n- c\nd: e\n", m{"a": s{"b", "c"}, "d": "e"}, true},
		{"compact mappings", "a:\n- b: 1\n  c: 2\n-   d: 3\n", m{"a": s{m{"b": int64(1), "c": int64(2)}, m{"d": int64(3)}}}, true},
		{"compact sequences", "a:\n- - b\n  - c\n- - - d\n", m{"a": s{s{"b", "c"}, s{s{"d"}}}}, true},
		{"an item below its dash", "a:\n-\n  b: c\n- # c\n  d\n-\n", m{"a": s{m{"b": "c"}, "d", nil}}, true},
		{"a value below its key", "a:\n   b\nc:\n  'd'\n", m{"a": "b", "c": "d"}, true},
		{"flow collections", "a: {b: [c, 'd', \"e\"], f: {}, g: []}\nh: [{i: j}, [k]]\n",
			m{"a": m{"b": s{"c", "d", "e"}, "f": m{}, "g": s{}}, "h": s{m{"i": "j"}, s{"k"}}}, true},
		{"flow: JSON", `a: {"b":1,"c":[true,null,"d"],"e":{}}` + "\n", m{"a": m{"b": int64(1), "c": s{true, nil, "d"}, "e": m{}}}, true},
		{"flow: an empty value", "a: {b: , \"c\":}\n", m{"a": m{"b": nil, "c": nil}}, true},
		{"flow: plain scalars with indicators", "a: [b:c, -d, e#f, g h, 'i''j']\n", m{"a": s{"b:c", "-d", "e#f", "g h", "i'j"}}, true},
		{"plain scalars", "a: b c  d\nb: http://x:80/y#z\nc: e # f\nd: -g\ne: h:i\n",
			m{"a": "b c  d", "b": "http://x:80/y#z", "c": "e", "d": "-g", "e": "h:i"}, true},
		{"a plain scalar on more lines", "a: b\n  c\n\n  d\n\n\n   e # f\ng: h\n", m{"a": "b c\nd\n\ne", "g": "h"}, true},
		{"a plain item on more lines", "a:\n- b\n  - c\n", m{"a": s{"b - c"}}, true},
		{"a sequence item on more lines", "a:\n- b\n  c\n", m{"a": s{"b c"}}, true},
		{"ints", "a: [0, 1, -1, 123456789012345678, -123456789012345678]\n", m{"a": s{int64(0), int64(1), int64(-1), int64(123456789012345678), int64(-123456789012345678)}}, true},
		{"numbers yaml.v3 resolves", "a: [+1, 012, 0x1F, 0o17, 1_000, 1.5, .5, 1e3, 9223372036854775808, -0]\n",
			m{"a": s{int64(1), int64(10), int64(31), int64(15), int64(1000), 1.5, 0.5, 1000.0, 9223372036854775808.0, int64(0)}}, true},
		{"strings that look like numbers", "a: [1.2.3, 100m, 128Mi, 12:30, 2001-12-14, 1 2, .inf, -.Inf, .NaN, 0x, 1e]\n",
			m{"a": s{"1.2.3", "100m", "128Mi", "12:30", "2001-12-14", "1 2", ".inf", "-.Inf", ".NaN", "0x", "1e"}}, true},
		{"booleans and nulls", "a: [true, False, TRUE, tRue, null, Null, NULL, ~, nUll]\n", m{"a": s{true, false, true, "tRue", nil, nil, nil, nil, "nUll"}}, true},
		{"YAML 1.1 booleans, plain only", "a: [yes, No, ON, off, y, N, 'yes', \"no\", yES]\nb: |\n  yes\n",
			m{"a": s{true, false, true, false, true, false, "yes", "no", "yES"}, "b": "yes\n"}, true},
		{"quoted keys", "'a': 1\n\"b c\": 2\n'd''e': 3\n", m{"a": int64(1), "b c": int64(2), "d'e": int64(3)}, true},
		{"keys are not resolved", "1: a\ntrue: b\nnull: c\n~: d\n", m{"1": "a", "true": "b", "null": "c", "~": "d"}, true},
		{"escapes", `a: "\t\n\\\"\x41\u00e9\U0001F600\0\a\b\v\f\r\e\ \/"` + "\n", nil, false},
		{"escapes yaml.v3 reads", `a: "\t\n\\\"\x41\u00e9\U0001F600\0\a\b\v\f\r\e\ \_\N\L\P\'"` + "\n",
			m{"a": "\t\n\\\"Aé😀\x00\a\b\v\f\r\x1b \u00a0\u0085\u2028\u2029'"}, true},
		{"single quotes", "a: 'b ''c'' \\n'\n", m{"a": `b 'c' \n`}, true},
		{"quoted on more lines", "a: 'b\n  c\n\n  d  '\nb: \"e\\\n   f\\n\n g\"\n", m{"a": "b c\nd  ", "b": "ef\n g"}, true},
		{"literal", "a: |\n  b\n   c\n\n  d\n\n\ne: f\n", m{"a": "b\n c\n\nd\n", "e": "f"}, true},
		{"folded", "a: >\n  b\n  c\n\n  d\n   e\n  f\n", m{"a": "b c\nd\n e\nf\n"}, true},
		{"chomping", "a: |-\n  b\n\nc: |+\n  d\n\ne: >-\n  f\n", m{"a": "b", "c": "d\n\n", "e": "f"}, true},
		{"an indentation indicator", "a: |2\n   b\n  c\nd: |1-\n  e\n", m{"a": " b\nc\n", "d": " e"}, true},
		{"a block scalar in a sequence", "a:\n- |\n  b\n- >+\n\n  c\n", m{"a": s{"b\n", "\nc\n"}}, true},
		{"a block scalar at the end", "a: |\n  b", m{"a": "b"}, true},
		{"empty block scalars", "a: |\nb: >+\n\nc: d\n", m{"a": "", "b": "\n", "c": "d"}, true},
		{"comments anywhere", "a: # c\n    # d\n  b: c # e\n# f\n      # g\n  d:\n  - e # h\n", m{"a": m{"b": "c", "d": s{"e"}}}, true},
		{"non-ASCII", "é: ü\n日本: [語]\n", m{"é": "ü", "日本": s{"語"}}, true},
		{"a merge key's spelling as a value", "a: <<\n", m{"a": "<<"}, true},

		{"anchors", "a: &x b\n", nil, false},
		{"aliases", "a: &x b\nc: *x\n", nil, false},
		{"tags", "a: !!str 1\n", nil, false},
		{"merge keys", "<<: {a: 1}\n", nil, false},
		{"merge keys in flow", "a: {<<: {b: 1}}\n", nil, false},
		{"complex keys", "? a\n: b\n", nil, false},
		{"flow keys", "{a: b}: c\n", nil, false},
		{"duplicate keys", "a: 1\na: 2\n", nil, false},
		{"duplicate keys, quoted", "a: 1\n'a': 2\n", nil, false},
		{"duplicate keys in flow", "a: {b: 1, b: 2}\n", nil, false},
		{"a directive", "%YAML 1.2\n---\na: b\n", nil, false},
		{"content on the marker line", "--- a: b\n", nil, false},
		{"a BOM", "\ufeffa: b\n", nil, false},
		{"a tab in indentation", "a:\n\tb: c\n", nil, false},
		{"a tab after a colon", "a:\tb\n", nil, false},
		{"a tab after a dash", "a:\n-\tb\n", nil, false},
		{"a sequence root", "- a\n", nil, false},
		{"a scalar root", "a\n", nil, false},
		{"a flow root", "{a: b}\n", nil, false},
		{"a flow collection on more lines", "a: [b,\n  c]\n", nil, false},
		{"a comment in a flow collection", "a: [b, # c\n  d]\n", nil, false},
		{"an implicit pair in a flow sequence", "a: [b: c]\n", nil, false},
		{"a trailing comma", "a: [b, c,]\n", nil, false},
		{"an empty flow item", "a: [b, , c]\n", nil, false},
		{"a flow key without a value", "a: {b, c: d}\n", nil, false},
		{"a plain scalar starting with ?", "a: ?b\n", nil, false},
		{"a plain scalar starting with :", "a: :b\n", nil, false},
		{"a double-quoted key with an escape", "\"a\\tb\": c\n", nil, false},
		{"a long key", strings.Repeat("k", maxSimpleKey+1) + ": v\n", nil, false},
		{"a key not too long", strings.Repeat("k", maxSimpleKey-1) + " : v\n", m{strings.Repeat("k", maxSimpleKey-1): "v"}, true},
		{"a long value", "a: " + strings.Repeat("v", 3000) + "\nb: '" + strings.Repeat("w", 3000) + "'\n", m{"a": strings.Repeat("v", 3000), "b": strings.Repeat("w", 3000)}, true},
		{"a quoted key on two lines", "'a\n b': c\n", nil, false},
		{"a key on two lines", "a: b\n  c: d\n", nil, false},
		{"a mapping on a key's line", "a: b: c\n", nil, false},
		{"a sequence on a key's line", "a: - b\n", nil, false},
		{"a key indented too far", "a: b\n  c\nd: e\n   f: g\n", nil, false},
		{"a dash after a scalar", "a: b\n- c\n", nil, false},
		{"an unclosed quote", "a: 'b\n", nil, false},
		{"an unknown escape", `a: "\q"` + "\n", nil, false},
		{"an invalid code point", `a: "\ud800"` + "\n", nil, false},
		{"an indentation indicator of 0", "a: |0\n  b\n", nil, false},
		{"content after a block scalar header", "a: | b\n", nil, false},
		{"a comment without a blank", "a: 'b'# c\n", nil, false},
		{"a lone CR", "a: b\rc: d\n", nil, false},
		{"as deep as the converter reads", "a: " + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth), m{"a": nested(maxDepth)}, true},
		{"deeper", "a: " + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), nil, false},
		{"deeper in blocks", deepBlocks(maxDepth + 1), nil, false},
		{"more values than the converter reads", "a: [" + strings.Repeat("1,", maxNodesPerDoc-2) + "1]", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d fastDecoder
			doc, ok := d.decode([]byte(tc.doc))
			if ok != tc.ok {
				t.Fatalf("decoded: %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if !reflect.DeepEqual(tc.want, doc.value) {
				t.Errorf("value (-want +got):\n%s", cmp.Diff(tc.want, doc.value))
			}
			var c fastCheck
			c.file(t, "case.yaml", []byte(tc.doc))
		})
	}
}

// TestFastDecodeEdits: the differential test over every document one edit
// away from a few manifests (a byte that matters to YAML inserted at any
// offset, or any byte deleted), and over documents a few edits away from
// them and from random documents (SASCAN_RANDOM_DOCS=n: n of those).
func TestFastDecodeEdits(t *testing.T) {
	docs := []string{
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, labels: {a: 'b'}}\n  spec:\n    containers:\n    - name: c\n      args: [\"-x\", y]\n",
		"a: |\n  b\n\n  c\nd: >-\n  e\n  f\ng: plain\n  more\nh: 'i\n  j'\nk: \"l\\tm\"\n",
		"a:\n- b\n- - c\n  - d\n-\n  e: 1\n  f: [2, 3.5]\ng: # c\n  h: yes\n",
	}
	const inserts = " \t\n#:-'\"[]{},|>&*!?%@`~.0\\é"
	var c fastCheck
	for _, doc := range docs {
		for i := 0; i <= len(doc); i++ {
			for _, r := range inserts {
				c.file(t, "edit.yaml", []byte(doc[:i]+string(r)+doc[i:]))
			}
			if i < len(doc) {
				c.file(t, "edit.yaml", []byte(doc[:i]+doc[i+1:]))
			}
		}
	}
	// And a few edits at random, to manifests and to random documents.
	r := rand.New(rand.NewPCG(7, 8))
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("SASCAN_RANDOM_DOCS")); err == nil {
		n = v
	}
	for range n {
		doc := []byte(docs[r.IntN(len(docs))])
		if r.IntN(2) == 0 {
			doc = []byte(randomYAML(r))
		}
		for range 1 + r.IntN(3) {
			i := r.IntN(len(doc) + 1)
			if r.IntN(4) == 0 && i < len(doc) {
				doc = append(doc[:i:i], doc[i+1:]...)
				continue
			}
			ins := string([]rune(inserts)[r.IntN(len([]rune(inserts)))])
			doc = append(doc[:i:i], append([]byte(ins), doc[i:]...)...)
		}
		c.file(t, "edit.yaml", doc)
	}
	t.Logf("%d documents, %.2f%% decoded by the fast path", c.docs, 100*c.rate())
}

// BenchmarkDecode: the documents of a generated dump of each profile read
// by the fast path and by yaml.v3 alone, on one goroutine: ns and
// allocations per object.
func BenchmarkDecode(b *testing.B) {
	for _, profile := range gen.Profiles {
		var chunks []fileChunk
		for i, c := range splitDocuments(genDump(b, profile, 5000)) {
			chunks = append(chunks, fileChunk{file: "gen.yaml", c: c, doc: i})
		}
		for _, bc := range []struct {
			name  string
			parse func(fileChunk) chunkResult
		}{
			{"fast", new(fastDecoder).parseDocument},
			{"yaml", parseDocumentYAML},
		} {
			b.Run(fmt.Sprintf("profile=%s/%s", profile, bc.name), func(b *testing.B) {
				objects := 0
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				for b.Loop() {
					for _, c := range chunks {
						objects += len(bc.parse(c).objects)
					}
				}
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(objects), "ns/object")
				b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(objects), "allocs/object")
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(objects), "B/object")
			})
		}
	}
}

// TestFastPositionCarriesColumn: the column the fast path carries along a
// line is the one walker.position counts from the line's start, going
// forward in steps, going back, and on the next line; multi-byte
// characters count once.
func TestFastPositionCarriesColumn(t *testing.T) {
	text := []byte("items: [{a: é}, {b: ü}, {c: x}]\nnext: [{d: y}]\n")
	var d fastDecoder
	d.decode(text)
	first := d.w.lineAt(0, 0)
	second := d.w.following(first)
	for _, q := range []struct {
		l   textLine
		off int
	}{
		{first, first.start + 8}, {first, first.start + 17}, {first, first.start + 25},
		{first, first.start + 9}, {first, first.end},
		{second, second.start + 7}, {first, first.start + 17},
	} {
		gotLine, gotCol := d.position(q.l, q.off)
		wantLine, wantCol := d.w.position(q.l, q.off)
		if gotLine != wantLine || gotCol != wantCol {
			t.Errorf("offset %d: %d:%d, want %d:%d", q.off, gotLine, gotCol, wantLine, wantCol)
		}
	}
}

// BenchmarkDecodeFlowItems: a List whose items are one flow sequence on
// one line, as a hostile pull request could send it: the time per item
// stays the same as the line grows.
func BenchmarkDecodeFlowItems(b *testing.B) {
	for _, n := range []int{5000, 40000} {
		text := []byte("apiVersion: v1\nkind: List\nitems: [" + strings.Repeat("{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}, ", n-1) + "{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}]\n")
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			var d fastDecoder
			for b.Loop() {
				r, ok := d.decodeDocument(fileChunk{file: "list.yaml", c: chunk{text: text, line: 1}})
				if !ok || len(r.objects) != n {
					b.Fatalf("decoded %v, %d objects", ok, len(r.objects))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*b.N), "ns/item")
		})
	}
}
