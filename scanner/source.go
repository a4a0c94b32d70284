package scanner

import (
	"sync"

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

// Locator resolves field paths to file positions. It parses each document
// at most once and is safe for concurrent use.
type Locator struct {
	mu    sync.Mutex
	trees map[*docText]*yaml.Node
}

// NewLocator returns an empty Locator.
func NewLocator() *Locator {
	return &Locator{trees: map[*docText]*yaml.Node{}}
}

// Locate returns the line and column of the deepest field of path that
// exists in the object, falling back to the object's own position.
func (l *Locator) Locate(src *Source, path string) (line, col int) {
	if src == nil {
		return 0, 0
	}
	if src.doc == nil || path == "" {
		return src.Line, src.Column
	}
	root := l.tree(src.doc)
	if root == nil {
		return src.Line, src.Column
	}
	segs := append(append([]Segment(nil), src.base...), ParsePath(path)...)
	n := lookup(root, segs)
	if n == nil || n == root && len(src.base) > 0 {
		return src.Line, src.Column
	}
	// lookup stops at the deepest node it reached; if that is above the
	// object itself (a List item not found), use the object position.
	if len(src.base) > 0 && lookup(root, src.base) == n {
		return src.Line, src.Column
	}
	return src.doc.line + n.Line - 1, n.Column
}

func (l *Locator) tree(d *docText) *yaml.Node {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n, ok := l.trees[d]; ok {
		return n
	}
	root, err := parseChunk(chunk{text: d.text, line: d.line})
	if err != nil {
		root = nil
	}
	l.trees[d] = root
	return root
}
