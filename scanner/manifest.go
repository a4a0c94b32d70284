package scanner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"
)

// StdinName is how findings name manifests read from standard input.
const StdinName = "<stdin>"

// DefaultMaxFileSize bounds the bytes read from one manifest file.
const DefaultMaxFileSize = 256 << 20

// LoadError is a file that could not be read or parsed. It never carries
// document content.
type LoadError struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

func (e LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Message)
}

// LoadOptions tune manifest loading.
type LoadOptions struct {
	Stdin       io.Reader // read for the path "-"
	MaxFileSize int64     // 0 means DefaultMaxFileSize
	Workers     int       // 0 means GOMAXPROCS
}

// Manifests is what the loader read: Kubernetes objects in input order,
// counts, per-file errors, and warnings.
type Manifests struct {
	Objects   []RawObject
	Files     int
	Documents int
	Skipped   int // documents without apiVersion and kind
	Errors    []LoadError
	// Warnings name documents and List items that look like Kubernetes
	// objects but are not read as one, or not whole (a kind without an
	// apiVersion, "apiversion" for "apiVersion"): likely typos.
	Warnings []LoadError
}

// Add appends what another load read.
func (m *Manifests) Add(o *Manifests) {
	m.Objects = append(m.Objects, o.Objects...)
	m.Files += o.Files
	m.Documents += o.Documents
	m.Skipped += o.Skipped
	m.Errors = append(m.Errors, o.Errors...)
	m.Warnings = append(m.Warnings, o.Warnings...)
}

// RawObject is one Kubernetes object as written, with its source.
type RawObject struct {
	Value  map[string]any
	Source *Source
	// Prepared is what ClusterOptions.Prepare made of Value while other
	// resources were still being listed (the rules' input form), or nil.
	Prepared any
}

type fileChunk struct {
	file string
	c    chunk
	doc  int
}

type chunkResult struct {
	objects  []RawObject
	skipped  bool
	empty    bool
	err      *LoadError
	warnings []LoadError // without File
}

// LoadManifests reads files, folders (recursively: .yaml, .yml, .json) and
// "-" (stdin). Bad files become LoadErrors; every other file is still read.
func LoadManifests(ctx context.Context, paths []string, opts LoadOptions) (*Manifests, error) {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	m := &Manifests{}
	var chunks []fileChunk
	for _, p := range paths {
		files, errs := expand(p)
		m.Errors = append(m.Errors, errs...)
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			data, lerr := readFile(f, p == "-", opts)
			if lerr != nil {
				m.Errors = append(m.Errors, *lerr)
				continue
			}
			m.Files++
			for i, c := range splitDocuments(data) {
				chunks = append(chunks, fileChunk{file: f, c: c, doc: i})
			}
		}
	}
	results := parseAll(ctx, chunks, opts.Workers)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	docIdx := map[string]int{}
	for i, r := range results {
		if r.empty {
			continue
		}
		m.Documents++
		fc := chunks[i]
		n := docIdx[fc.file]
		docIdx[fc.file] = n + 1
		for _, w := range r.warnings {
			w.File = fc.file
			m.Warnings = append(m.Warnings, w)
		}
		if r.err != nil {
			r.err.File = fc.file
			m.Errors = append(m.Errors, *r.err)
			continue
		}
		if r.skipped {
			m.Skipped++
			continue
		}
		for _, o := range r.objects {
			o.Source.Doc = n
			m.Objects = append(m.Objects, o)
		}
	}
	sortLoadErrors(m.Errors)
	sortLoadErrors(m.Warnings)
	return m, nil
}

func sortLoadErrors(es []LoadError) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].File != es[j].File {
			return es[i].File < es[j].File
		}
		return es[i].Line < es[j].Line
	})
}

func parseAll(ctx context.Context, chunks []fileChunk, workers int) []chunkResult {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]chunkResult, len(chunks))
	var g errgroup.Group
	g.SetLimit(workers)
	for i := range chunks {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			results[i] = parseDocument(chunks[i])
			return nil
		})
	}
	_ = g.Wait() // the workers return no error
	return results
}

func parseDocument(fc fileChunk) chunkResult {
	root, lerr := parseChunk(fc.c)
	if lerr != nil {
		return chunkResult{err: lerr}
	}
	if root == nil {
		return chunkResult{empty: true}
	}
	var conv converter
	v, err := conv.value(root, 0)
	if err != nil {
		return chunkResult{err: &LoadError{Line: fc.c.line + root.Line - 1, Message: err.Error()}}
	}
	if v == nil {
		return chunkResult{empty: true}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return chunkResult{skipped: true}
	}
	fileLine := func(n *yaml.Node) int { return fc.c.line + n.Line - 1 }
	warnings := typoWarnings(obj, root, fileLine)
	if !isKubernetesObject(obj) {
		return chunkResult{skipped: true, warnings: warnings}
	}
	dt := &docText{text: fc.c.text, line: fc.c.line}
	tmpl, tmplLine := helmSource(fc.c)
	at := func(n *yaml.Node, base []Segment) *Source {
		return &Source{File: fc.file, Line: dt.line + n.Line - 1, Column: n.Column, base: base, doc: dt, Template: tmpl, TemplateLine: tmplLine}
	}
	items, isList := obj["items"].([]any)
	if !isList || !isListKind(obj) {
		return chunkResult{objects: []RawObject{{Value: obj, Source: at(root, nil)}}, warnings: warnings}
	}
	itemsNode := lookup(root, []Segment{{Key: "items"}})
	var out []RawObject
	for i, it := range items {
		im, ok := it.(map[string]any)
		if !ok {
			continue
		}
		base := []Segment{{Key: "items"}, {Index: i, IsIdx: true}}
		n := itemsNode
		if vn := valueNode(root, base); vn != nil {
			n = vn
		}
		warnings = append(warnings, typoWarnings(im, n, fileLine)...)
		if !isKubernetesObject(im) {
			continue
		}
		out = append(out, RawObject{Value: im, Source: at(n, base)})
	}
	if len(out) == 0 {
		return chunkResult{skipped: true, warnings: warnings}
	}
	return chunkResult{objects: out, warnings: warnings}
}

// typoWarnings looks for what makes a mapping that is meant to be a
// Kubernetes object not read as one, or not whole: a key that differs only
// in case from apiVersion or kind ("apiversion", "Kind"), or a kind without
// an apiVersion. n is the mapping's node, line turns a node's line into
// the file's.
func typoWarnings(obj map[string]any, n *yaml.Node, line func(*yaml.Node) int) []LoadError {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	skipped := !isKubernetesObject(obj)
	var out []LoadError
	var kindKey *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		for _, want := range []string{"apiVersion", "kind"} {
			if k.Value == want || !strings.EqualFold(k.Value, want) {
				continue
			}
			msg := fmt.Sprintf("key %q is not %q (keys are case-sensitive)", k.Value, want)
			if skipped {
				msg += ": not read as a Kubernetes object"
			} else {
				msg += ": ignored"
			}
			out = append(out, LoadError{Line: line(k), Message: msg})
		}
		if k.Value == "kind" {
			kindKey = k
		}
	}
	kind, _ := obj["kind"].(string)
	av, _ := obj["apiVersion"].(string)
	if len(out) == 0 && kindKey != nil && kind != "" && av == "" {
		out = append(out, LoadError{Line: line(kindKey), Message: fmt.Sprintf("kind %s without an apiVersion: not read as a Kubernetes object", kind)})
	}
	return out
}

// helmSource finds the "# Source: <chart>/templates/<file>" comment that
// `helm template` writes before each document, among the comment lines
// that precede the document's content.
func helmSource(c chunk) (string, int) {
	line := c.line
	for _, l := range strings.Split(string(c.text), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "# Source: "):
			return strings.TrimSpace(strings.TrimPrefix(t, "# Source: ")), line
		case t == "" || t == "---" || strings.HasPrefix(t, "#"):
		default:
			return "", 0
		}
		line++
	}
	return "", 0
}

// valueNode returns the value node at segs (lookup returns key nodes).
func valueNode(root *yaml.Node, segs []Segment) *yaml.Node {
	cur := root
	for _, s := range segs {
		if cur == nil {
			return nil
		}
		switch {
		case s.IsIdx && cur.Kind == yaml.SequenceNode && s.Index < len(cur.Content):
			cur = cur.Content[s.Index]
		case !s.IsIdx && cur.Kind == yaml.MappingNode:
			var found *yaml.Node
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if cur.Content[i].Value == s.Key {
					found = cur.Content[i+1]
				}
			}
			cur = found
		default:
			return nil
		}
	}
	return cur
}

func isKubernetesObject(m map[string]any) bool {
	av, _ := m["apiVersion"].(string)
	k, _ := m["kind"].(string)
	return av != "" && k != ""
}

func isListKind(m map[string]any) bool {
	k, _ := m["kind"].(string)
	return strings.HasSuffix(k, "List")
}

func readFile(name string, stdin bool, opts LoadOptions) ([]byte, *LoadError) {
	var r io.Reader
	if stdin {
		if opts.Stdin == nil {
			return nil, &LoadError{File: name, Message: "no standard input"}
		}
		r = opts.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, &LoadError{File: name, Message: "read: " + unwrapPathError(err)}
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, opts.MaxFileSize+1))
	if err != nil {
		return nil, &LoadError{File: name, Message: "read: " + unwrapPathError(err)}
	}
	if stdin && len(bytes.TrimSpace(data)) == 0 {
		// Most likely the command before the pipe failed (helm template
		// with helm missing): scanning nothing is not a clean scan.
		return nil, &LoadError{File: name, Message: "no input on stdin"}
	}
	if int64(len(data)) > opts.MaxFileSize {
		return nil, &LoadError{File: name, Message: fmt.Sprintf("file is larger than the limit of %d bytes (--max-file-size)", opts.MaxFileSize)}
	}
	if len(data) > 0 && isBinary(data) {
		return nil, &LoadError{File: name, Line: 1, Message: "not a YAML or JSON text file (binary content)"}
	}
	return data, nil
}

func isBinary(b []byte) bool {
	n := len(b)
	if n > 8000 {
		n = 8000
	}
	for _, c := range b[:n] {
		if c == 0 {
			return true
		}
	}
	return false
}

func unwrapPathError(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// expand turns one argument into the files to read, in lexical order.
func expand(p string) ([]string, []LoadError) {
	if p == "-" {
		return []string{StdinName}, nil
	}
	info, err := os.Stat(p)
	if err != nil {
		return nil, []LoadError{{File: p, Message: "read: " + unwrapPathError(err)}}
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	var errs []LoadError
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, LoadError{File: path, Message: "read: " + unwrapPathError(err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != p && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		errs = append(errs, LoadError{File: p, Message: "read: " + err.Error()})
	}
	sort.Strings(files)
	return files, errs
}
