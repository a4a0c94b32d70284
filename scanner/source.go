package scanner

import (
	"runtime"

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
// position. Each document is parsed once, documents on every CPU, and no
// parse tree outlives the call, so a large scan does not hold a YAML tree
// per reported document.
func Locate(refs []FieldRef) []Position {
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
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, d := range docs {
		g.Go(func() error {
			root, err := parseChunk(chunk{text: d.text, line: d.line})
			if err != nil {
				root = nil
			}
			for _, i := range byDoc[d] {
				out[i] = locateIn(root, refs[i].Source, refs[i].Path)
			}
			return nil
		})
	}
	_ = g.Wait() // the workers return no error
	return out
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
