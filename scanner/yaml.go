package scanner

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Limits that keep one hostile document from exhausting memory.
const (
	maxNodesPerDoc = 2_000_000
	maxDepth       = 500
)

var errTooLarge = errors.New("document expands to too many nodes (alias expansion?)")

// chunk is one YAML document's text inside a file.
type chunk struct {
	text []byte
	line int // 1-based line of text[0] in the file
}

// splitDocuments cuts a YAML stream at document markers ("---" and "..."
// at the start of a line). A chunk keeps its own "---" line so that inline
// content after the marker is parsed and line numbers stay exact.
func splitDocuments(data []byte) []chunk {
	var out []chunk
	start, startLine := 0, 1
	line := 1
	flush := func(end int) {
		if end > start {
			out = append(out, chunk{text: data[start:end], line: startLine})
		}
	}
	for pos := 0; pos < len(data); {
		nl := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if nl >= 0 {
			next = pos + nl + 1
		}
		l := data[pos:next]
		switch {
		case isMarker(l, "---"):
			flush(pos)
			start, startLine = pos, line
		case isMarker(l, "..."):
			flush(pos)
			start, startLine = next, line+1
		}
		pos = next
		line++
	}
	flush(len(data))
	return out
}

func isMarker(l []byte, m string) bool {
	if !bytes.HasPrefix(l, []byte(m)) {
		return false
	}
	if len(l) == 3 {
		return true
	}
	switch l[3] {
	case ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

var (
	yamlLineRE      = regexp.MustCompile(`^line (\d+): `)
	unknownAnchorRE = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

// parserProblems are the syntax errors of yaml.v3's parser (parserc.go), as
// opposed to its scanner's (scannerc.go).
var parserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"did not find expected node content",
	"did not find expected key",
	"did not find expected '-' indicator",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found duplicate %YAML directive",
	"found duplicate %TAG directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// parseChunk parses one document. It returns the root node (nil for an
// empty document) or an error whose line is the file's line.
func parseChunk(c chunk) (*yaml.Node, *LoadError) {
	var doc yaml.Node
	if err := yaml.Unmarshal(c.text, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 1 // yaml.v3 gives no line for the first line of the text
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		line = syntaxErrorLine(c.text, msg, line)
		return nil, &LoadError{Line: c.line + line - 1, Message: "invalid YAML: " + msg}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// syntaxErrorLine turns the line yaml.v3 gives for a syntax error in text
// into the 1-based line of the problem. yaml.v3 counts inconsistently: for
// its parser's errors it gives the 0-based line of the construct being
// parsed (an unclosed "[" on line 5 is "line 4"), or of the problem when
// that construct starts on the first line; for its scanner's errors the
// 1-based line of the token being scanned, which for a tab that breaks the
// indentation is the line before the tab.
func syntaxErrorLine(text []byte, problem string, line int) int {
	for _, p := range parserProblems {
		if problem == p {
			// At the end of the text: its last line that is not blank.
			return min(line+1, lastContentLine(text))
		}
	}
	switch {
	case strings.HasPrefix(problem, "found a tab character"):
		// The first line from the reported one that has a tab in its
		// indentation.
		lines := bytes.Split(text, []byte("\n"))
		for i := line - 1; i >= 0 && i < len(lines); i++ {
			indent := lines[i][:len(lines[i])-len(bytes.TrimLeft(lines[i], " \t"))]
			if bytes.IndexByte(indent, '\t') >= 0 {
				return i + 1
			}
		}
	case unknownAnchorRE.MatchString(problem):
		// No line at all: the first use of the alias.
		name := unknownAnchorRE.FindStringSubmatch(problem)[1]
		if i := aliasUse(text, name); i >= 0 {
			return bytes.Count(text[:i], []byte("\n")) + 1
		}
	}
	return line
}

// lastContentLine returns the 1-based number of the last line of text that
// is not blank (1 if there is none).
func lastContentLine(text []byte) int {
	n, last := 0, 1
	for line := range bytes.Lines(text) {
		n++
		if len(bytes.TrimSpace(line)) > 0 {
			last = n
		}
	}
	return last
}

// aliasUse returns the offset of the first "*name" alias in text that is
// not followed by more of a longer name, or -1.
func aliasUse(text []byte, name string) int {
	alias := []byte("*" + name)
	for off := 0; ; {
		i := bytes.Index(text[off:], alias)
		if i < 0 {
			return -1
		}
		end := off + i + len(alias)
		if end == len(text) || bytes.IndexByte([]byte(" \t\r\n,]}"), text[end]) >= 0 {
			return off + i
		}
		off = end
	}
}

// converter turns a yaml.Node tree into plain Go values (map[string]any,
// []any, string, int64, float64, bool, nil), expanding aliases and merge
// keys within a node budget.
type converter struct {
	nodes int
}

func (c *converter) value(n *yaml.Node, depth int) (any, error) {
	c.nodes++
	if c.nodes > maxNodesPerDoc {
		return nil, errTooLarge
	}
	if depth > maxDepth {
		return nil, fmt.Errorf("document nested deeper than %d levels", maxDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, nil
		}
		return c.value(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.value(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return c.mapping(n, depth)
	case yaml.ScalarNode:
		return scalar(n), nil
	}
	return nil, nil
}

func (c *converter) mapping(n *yaml.Node, depth int) (map[string]any, error) {
	out := make(map[string]any, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		key := k.Value
		if k.Kind != yaml.ScalarNode {
			key = fmt.Sprint(k.Value)
		}
		val, err := c.value(v, depth+1)
		if err != nil {
			return nil, err
		}
		out[key] = val
	}
	// Explicit keys win over merged ones, whatever their order.
	for _, m := range merges {
		srcs := []*yaml.Node{m}
		if m.Kind == yaml.AliasNode && m.Alias != nil {
			srcs = []*yaml.Node{m.Alias}
		}
		if srcs[0].Kind == yaml.SequenceNode {
			srcs = srcs[0].Content
		}
		for _, s := range srcs {
			v, err := c.value(s, depth+1)
			if err != nil {
				return nil, err
			}
			if mm, ok := v.(map[string]any); ok {
				for k, x := range mm {
					if _, set := out[k]; !set {
						out[k] = x
					}
				}
			}
		}
	}
	return out, nil
}

func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on", "y":
			return true
		}
		return false
	case "!!int":
		s := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
		return n.Value
	case "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return n.Value
		}
		return f
	case "!!str":
		// kubectl reads manifests with YAML 1.1 rules (sigs.k8s.io/yaml),
		// where plain yes/no/on/off are booleans; the API server gets those.
		if n.Style == 0 {
			if b, ok := yaml11Bools[n.Value]; ok {
				return b
			}
		}
	}
	return n.Value
}

var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
}

// lookup walks segs from n and returns the deepest node reached. For a map
// key the key node is returned, so a location points at `key:`.
func lookup(n *yaml.Node, segs []Segment) *yaml.Node {
	cur, last := n, n
	for _, s := range segs {
		for cur != nil && cur.Kind == yaml.AliasNode {
			cur = cur.Alias
		}
		if cur == nil {
			break
		}
		var next, at *yaml.Node
		switch {
		case s.IsIdx && cur.Kind == yaml.SequenceNode:
			if s.Index >= 0 && s.Index < len(cur.Content) {
				next = cur.Content[s.Index]
				at = next
			}
		case !s.IsIdx && cur.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if cur.Content[i].Value == s.Key {
					at, next = cur.Content[i], cur.Content[i+1]
					break
				}
			}
		}
		if next == nil {
			break
		}
		last, cur = at, next
	}
	return last
}
