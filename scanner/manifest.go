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
	"sync/atomic"

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
	// A worker per CPU takes documents in turn, with its own fast path's
	// scratch space.
	var next atomic.Int64
	var g errgroup.Group
	for range min(workers, len(chunks)) {
		g.Go(func() error {
			var d fastDecoder
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(chunks) {
					break
				}
				results[i] = d.parseDocument(chunks[i])
			}
			return nil
		})
	}
	_ = g.Wait() // the workers return no error
	return results
}

// parseDocument reads one document: by the fast path when it can
// (fastyaml.go), else by yaml.v3.
func parseDocument(fc fileChunk) chunkResult {
	var d fastDecoder
	return d.parseDocument(fc)
}

// parseDocumentYAML reads one document with yaml.v3.
func parseDocumentYAML(fc fileChunk) chunkResult {
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
	return documentResult(fc, v, nodeLayout{root})
}

// layout is where a document's nodes are, as far as building its objects
// needs: the 1-based line and column in the document of its root and of
// each item of its "items" list (a mapping's first key, a flow mapping's
// "{"), and the keys of those mappings that typoWarnings reads.
type layout interface {
	root() (line, column int, keys []mapKey)
	item(i int) (line, column int, keys []mapKey)
}

// mapKey is a mapping key and its 1-based line in the document.
type mapKey struct {
	name string
	line int
}

// typoKey reports whether typoWarnings reads key: apiVersion or kind in
// any case.
func typoKey(key string) bool {
	for _, want := range typoKeys {
		if strings.EqualFold(key, want) {
			return true
		}
	}
	return false
}

// typoKeys are the keys typoWarnings looks for in other cases.
var typoKeys = []string{"apiVersion", "kind"}

// documentResult turns a document's value v, and where its nodes are,
// into objects and warnings.
func documentResult(fc fileChunk, v any, lay layout) chunkResult {
	if v == nil {
		return chunkResult{empty: true}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return chunkResult{skipped: true}
	}
	line, col, keys := lay.root()
	warnings := typoWarnings(obj, keys, fc.c.line)
	if !isKubernetesObject(obj) {
		return chunkResult{skipped: true, warnings: warnings}
	}
	dt := &docText{text: fc.c.text, line: fc.c.line}
	tmpl, tmplLine := helmSource(fc.c)
	at := func(line, col int, base []Segment) *Source {
		return &Source{File: fc.file, Line: dt.line + line - 1, Column: col, base: base, doc: dt, Template: tmpl, TemplateLine: tmplLine}
	}
	items, isList := obj["items"].([]any)
	if !isList || !isListKind(obj) {
		return chunkResult{objects: []RawObject{{Value: obj, Source: at(line, col, nil)}}, warnings: warnings}
	}
	var out []RawObject
	for i, it := range items {
		im, ok := it.(map[string]any)
		if !ok {
			continue
		}
		base := []Segment{{Key: "items"}, {Index: i, IsIdx: true}}
		line, col, keys := lay.item(i)
		warnings = append(warnings, typoWarnings(im, keys, fc.c.line)...)
		if !isKubernetesObject(im) {
			continue
		}
		out = append(out, RawObject{Value: im, Source: at(line, col, base)})
	}
	if len(out) == 0 {
		return chunkResult{skipped: true, warnings: warnings}
	}
	return chunkResult{objects: out, warnings: warnings}
}

// nodeLayout is the layout of a document yaml.v3 parsed.
type nodeLayout struct {
	node *yaml.Node
}

func (l nodeLayout) root() (int, int, []mapKey) {
	return l.node.Line, l.node.Column, nodeKeys(l.node)
}

func (l nodeLayout) item(i int) (int, int, []mapKey) {
	it := valueNode(l.node, []Segment{{Key: "items"}, {Index: i, IsIdx: true}})
	if it == nil {
		it = lookup(l.node, []Segment{{Key: "items"}})
	}
	return it.Line, it.Column, nodeKeys(it)
}

// nodeKeys lists the keys of mapping n that typoWarnings reads (none when
// n is not a mapping).
func nodeKeys(n *yaml.Node) []mapKey {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []mapKey
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; typoKey(k.Value) {
			out = append(out, mapKey{k.Value, k.Line})
		}
	}
	return out
}

// typoWarnings looks for what makes a mapping that is meant to be a
// Kubernetes object not read as one, or not whole: a key that differs only
// in case from apiVersion or kind ("apiversion", "Kind"), or a kind without
// an apiVersion. keys are the mapping's keys that typoKey picks, in order;
// line is the file's line of the document's first.
func typoWarnings(obj map[string]any, keys []mapKey, line int) []LoadError {
	skipped := !isKubernetesObject(obj)
	var out []LoadError
	kindLine := 0
	for _, k := range keys {
		for _, want := range typoKeys {
			if k.name == want || !strings.EqualFold(k.name, want) {
				continue
			}
			msg := fmt.Sprintf("key %q is not %q (keys are case-sensitive)", k.name, want)
			if skipped {
				msg += ": not read as a Kubernetes object"
			} else {
				msg += ": ignored"
			}
			out = append(out, LoadError{Line: line + k.line - 1, Message: msg})
		}
		if k.name == "kind" {
			kindLine = k.line
		}
	}
	kind, _ := obj["kind"].(string)
	av, _ := obj["apiVersion"].(string)
	if len(out) == 0 && kindLine > 0 && kind != "" && av == "" {
		out = append(out, LoadError{Line: line + kindLine - 1, Message: fmt.Sprintf("kind %s without an apiVersion: not read as a Kubernetes object", kind)})
	}
	return out
}

// helmSource finds the "# Source: <chart>/templates/<file>" comment that
// `helm template` writes before each document, among the comment lines
// that precede the document's content.
func helmSource(c chunk) (string, int) {
	line := c.line
	for l := range bytes.SplitSeq(c.text, []byte("\n")) {
		t := bytes.TrimSpace(l)
		switch {
		case bytes.HasPrefix(t, []byte("# Source: ")):
			return string(bytes.TrimSpace(t[len("# Source: "):])), line
		case len(t) == 0 || string(t) == "---" || t[0] == '#':
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
	var size int64 // what the file says it holds; 0 when unknown
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
		if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
			size = info.Size()
		}
		r = f
	}
	data, err := readAll(io.LimitReader(r, opts.MaxFileSize+1), min(size, opts.MaxFileSize+1))
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

// readAll reads r to its end. Given the size r should hold (a regular
// file's), it reads into one buffer of that size, which it grows only when
// r holds more: the loader keeps each file's text for positions, and
// io.ReadAll, which cannot know the size, allocated twice the 57 MB of the
// mix 100k dump. Without a size (0: stdin, a pipe) it is io.ReadAll.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 {
		return io.ReadAll(r)
	}
	data := make([]byte, 0, size+1) // +1: reaching EOF needs room to read
	for {
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return data, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // grows as append does
		}
	}
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
