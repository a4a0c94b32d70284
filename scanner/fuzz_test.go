package scanner

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addSeeds(f *testing.F) {
	files, _ := filepath.Glob("../testdata/rules/*/*.yaml")
	more, _ := filepath.Glob("../examples/demo/*.yaml")
	for _, p := range append(files, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("--- {apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: Pod, metadata: {name: x}}]}\n"))
}

// FuzzLoadManifests: any bytes give objects or errors, never a panic, and
// every object can be built into an inventory and located.
func FuzzLoadManifests(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := LoadManifests(context.Background(), []string{"-"}, LoadOptions{Stdin: bytes.NewReader(data), MaxFileSize: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		inv := Build(m.Objects, BuildOptions{Mode: ModeManifest, Builtins: false})
		var refs []FieldRef
		for _, o := range inv.Objects {
			if o.Source != nil {
				refs = append(refs, FieldRef{o.Source, "spec.template.spec.containers[0].env[0].value"},
					FieldRef{o.Source, `metadata.annotations["a.b/c"]`})
			}
		}
		Locate(refs)
	})
}

// FuzzParseFlags: any command line parses.
func FuzzParseFlags(f *testing.F) {
	f.Add("kube-apiserver --a=1 --b --c d -- --e=")
	f.Add("--service-account-key-file /x --feature-gates=A=true,B=false")
	f.Fuzz(func(t *testing.T, line string) {
		var toks []token
		paths := map[string]bool{}
		for i, w := range strings.Split(line, " ") {
			p := fmt.Sprintf("p%d", i)
			toks = append(toks, token{w, p})
			paths[p] = true
		}
		flags := ParseFlags(toks)
		n := 0
		for name, occ := range flags {
			if strings.HasPrefix(name, "-") {
				t.Errorf("flag name %q keeps a dash", name)
			}
			for _, o := range occ {
				n++
				if !paths[o.Path] {
					t.Errorf("flag %q: path %q is not a token's", name, o.Path)
				}
				if o.Bare && o.Value != "true" {
					t.Errorf("bare flag %q has value %q", name, o.Value)
				}
			}
		}
		fields := 0
		for _, w := range toks {
			fields += max(len(strings.Fields(w.s)), 1)
		}
		if n > fields {
			t.Errorf("%d occurrences from %d words", n, fields)
		}
		// Every "--name=value" word is one occurrence (a set, so that the
		// check stays linear on inputs of tens of thousands of words).
		type occurrence struct{ name, path, value string }
		seen := map[occurrence]bool{}
		for name, occ := range flags {
			for _, o := range occ {
				seen[occurrence{name, o.Path, o.Value}] = true
			}
		}
		for _, w := range toks {
			s := strings.TrimSpace(w.s)
			if strings.ContainsAny(s, " \t\n") || !strings.HasPrefix(s, "--") {
				continue
			}
			name, val, ok := strings.Cut(strings.TrimLeft(s, "-"), "=")
			if !ok {
				continue
			}
			if !seen[occurrence{name, w.path, val}] {
				t.Errorf("word %q: no occurrence %s=%q at %s in %v", s, name, val, w.path, flags[name])
			}
		}
	})
}

// FuzzParsePath: any path string parses and formats.
func FuzzParsePath(f *testing.F) {
	f.Add(`metadata.annotations["x.y/z"].a[3]:users[0]`)
	f.Fuzz(func(t *testing.T, p string) {
		FormatPath(ParsePath(p))
	})
}

// FuzzFastDecode: wherever the fast path decodes a document, its result is
// yaml.v3's.
func FuzzFastDecode(f *testing.F) {
	addSeeds(f)
	for _, s := range fastDecodeSeeds {
		f.Add([]byte(s))
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 50 {
		f.Add([]byte(randomYAML(r)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c fastCheck
		c.file(t, "fuzz.yaml", data)
	})
}

// fastDecodeSeeds are documents for FuzzFastDecode to start from: the
// constructs the fast path reads, and some it refuses.
var fastDecodeSeeds = []string{
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {a: b, 'c': \"d\"}\nspec:\n  containers:\n  - name: c\n    args: [\"-x\", y]\n    env:\n    - {name: A, value: \"1\"}\n",
	"---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  KIND: x\n- {apiVersion: v1, kind: ConfigMap}\n",
	"a: |\n  x\n\n  y\nb: >-\n  folded\n  text\n\n   more\nc: |+2\n   keep\n\n",
	"a: plain\n  continued\n\n  more # c\nb: 'it''s'\nc: \"esc\\t\\u00e9\\\n  next\"\n",
	"a: [1, -2, 3.5, 0x1F, 012, 1_000, .inf, ~, null, yes, No, on, y, 2001-12-14, 1e3, +1]\n",
	"a:\n- x\n- - y\n  - z\n-\n  b: c\nd: e\r\n",
	"a: &x 1\nb: *x\n",
	"a: !!str 1\n",
	"<<: {a: 1}\n",
	"? a\n: b\n",
	"a: 1\na: 2\n",
}
