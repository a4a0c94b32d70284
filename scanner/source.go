package scanner

import (
	"runtime"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"
)

// Source is where a manifest object was read: the file as given, the
// document index in it, and the line and column where the object starts.
// Field positions are resolved on demand by a Locator, so the inventory does
// not hold a position for every field of every object.
type Source struct {
	File   string
	Doc    int
	Line   int
	Column int
	// Template is the chart file a Helm-rendered document came from (its
	// "# Source: chart/templates/x.yaml" comment); TemplateLine is the line
	// of that comment in the stream, so positions can be given within the
	// rendered template.
	Template     string
	TemplateLine int

	base []Segment // from the document root to the object (List items)
	doc  *docText
}

type docText struct {
	text []byte
	line int
}

// FieldRef names a field of a manifest object: the object's source and a
// field path (ParsePath syntax) within it.
type FieldRef struct {
	Source *Source
	Path   string
}

// Position is a 1-based line and column in a file; zero when unknown.
type Position struct {
	Line, Column int
}

// Locate resolves field references to file positions: the deepest field of
// each path that exists in the object, falling back to the object's own
// position. Most references are read off the document's text (textpath.go);
// a document is parsed only for the references that cannot be, once,
// documents on every CPU, and no parse tree outlives the call, so a large
// scan does not hold a YAML tree per reported document.
func Locate(refs []FieldRef) []Position {
	return locate(refs, locateOptions{})
}

// locateOptions tune locate.
type locateOptions struct {
	// YAMLOnly parses every document, without the fast path (its
	// benchmark's baseline).
	YAMLOnly bool
}

// maxTextRefs bounds the references of one document read off its text:
// each reading walks the text from the start, so past a few the parse is
// cheaper (a List with a finding on each of its thousand items).
const maxTextRefs = 16

func locate(refs []FieldRef, opts locateOptions) []Position {
	out := make([]Position, len(refs))
	byDoc := map[*docText][]int{}
	var docs []*docText
	for i, r := range refs {
		switch {
		case r.Source == nil:
		case r.Source.doc == nil || r.Path == "":
			out[i] = Position{r.Source.Line, r.Source.Column}
		default:
			if _, seen := byDoc[r.Source.doc]; !seen {
				docs = append(docs, r.Source.doc)
			}
			byDoc[r.Source.doc] = append(byDoc[r.Source.doc], i)
		}
	}
	// A worker per CPU takes documents in turn: one goroutine per
	// document would cost more than reading most of them.
	var next atomic.Int64
	var g errgroup.Group
	for range min(runtime.GOMAXPROCS(0), len(docs)) {
		g.Go(func() error {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(docs) {
					return nil
				}
				locateDoc(docs[k], byDoc[docs[k]], refs, out, opts)
			}
		})
	}
	_ = g.Wait() // the workers return no error
	return out
}

// locateDoc resolves the references idx of one document, reading them off
// its text when it can and parsing it, once, for the others.
func locateDoc(d *docText, idx []int, refs []FieldRef, out []Position, opts locateOptions) {
	text := !opts.YAMLOnly && len(idx) <= maxTextRefs && plainText(d.text)
	var root *yaml.Node
	parsed := false
	for _, i := range idx {
		if text {
			if p, ok := locateText(refs[i].Source, refs[i].Path); ok {
				out[i] = p
				continue
			}
		}
		if !parsed {
			root, parsed = parseRoot(d), true
		}
		out[i] = locateIn(root, refs[i].Source, refs[i].Path)
	}
}

// parseRoot is the root node of a document, nil if it does not parse.
func parseRoot(d *docText) *yaml.Node {
	root, err := parseChunk(chunk{text: d.text, line: d.line})
	if err != nil {
		return nil
	}
	return root
}

func locateIn(root *yaml.Node, src *Source, path string) Position {
	here := Position{src.Line, src.Column}
	if root == nil {
		return here
	}
	segs := append(append([]Segment(nil), src.base...), ParsePath(path)...)
	n := lookup(root, segs)
	if n == nil || n == root && len(src.base) > 0 {
		return here
	}
	// lookup stops at the deepest node it reached; if that is above the
	// object itself (a List item not found), use the object position.
	if len(src.base) > 0 && lookup(root, src.base) == n {
		return here
	}
	return Position{src.doc.line + n.Line - 1, n.Column}
}

// locateText is locateIn read off the document's text: false when the
// fast path cannot tell.
func locateText(src *Source, path string) (Position, bool) {
	segs := append(append([]Segment(nil), src.base...), ParsePath(path)...)
	w := walker{text: src.doc.text}
	depth, line, col, ok := w.lookupText(segs)
	switch {
	case !ok:
		return Position{}, false
	case len(src.base) > 0 && depth <= len(src.base):
		// Not past the List item: the object's own position.
		return Position{src.Line, src.Column}, true
	}
	return Position{src.doc.line + line - 1, col}, true
}
