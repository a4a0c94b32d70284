package scanner

import (
	"bytes"
	"unicode/utf8"
)

// The fast path of Locate: the position of a field path read off the
// document's text, line by line, without building a YAML tree and without
// allocating per node. It gives the answer locateIn gives over yaml.v3's
// tree, to the line and column, or none at all (ok false), and then the
// caller asks yaml.v3.
//
// It follows what Kubernetes manifests are made of: block mappings and
// block sequences (indentless ones too, "key:\n- a"), by their indentation;
// flow collections that open and close on one line ("labels: {app: x}",
// "- {name: A, value: b}"), by their brackets; plain scalars (continued on
// more indented lines), quoted scalars on one line, block scalars ("|",
// ">", with chomping and indentation indicators), comments, a leading
// "---" line, CRLF line ends. Keys compare the way lookup compares a key
// node's Value: plain keys trimmed, single-quoted keys with '' read as ',
// double-quoted keys when they hold no escape. Columns count characters,
// as yaml.v3 does.
//
// It gives up on the whole document for text plainText refuses (a BOM,
// control characters, invalid UTF-8, line breaks other than "\n" and
// "\r\n"), and on a reference when it meets, on the way to the answer:
// anchors, aliases and tags; complex keys ("? ", flow collections as keys);
// implicit pairs in flow sequences ("[a: b]"); keys and values starting
// with an indicator it does not read ("?x", ":x", "%", "@", "`");
// double-quoted keys with escapes; quoted scalars and flow collections that
// go on past their line; a comment inside a flow collection; tabs in
// indentation or between tokens of block lines; a root that is not a block
// mapping, or content on its "---" line; an empty sequence item as the
// answer; and lines indented where only a syntax error would put them.
//
// It relies on the text being a document that yaml.v3 parsed without
// error, as every Source's document is: it reads the structure such a
// document has, and does not look for syntax errors.

// textLine is one line of the document: its bytes are text[start:end]
// (without "\n" or "\r\n"), the next line starts at next, num counts lines
// from 0. At the end of the text start == len(text).
type textLine struct {
	start, end, next, num int
}

// walker reads one document's text.
type walker struct {
	text []byte
}

// nodeKind is what a node is, as far as the walker needs to know.
type nodeKind uint8

const (
	nodeNone        nodeKind = iota // an empty value
	nodePlain                       // a plain scalar, continued on lines indented past parent
	nodeQuoted                      // a quoted scalar
	nodeBlockScalar                 // "|" or ">", its content on the lines below
	nodeMap                         // a block mapping
	nodeSeq                         // a block sequence
	nodeFlowMap                     // "{...}"
	nodeFlowSeq                     // "[...]"
)

// node is where a value starts: its line and the offset of its first byte
// (the first key, the first "-", the bracket, the scalar). For nodeNone,
// line is the first content line after the empty value.
type node struct {
	kind   nodeKind
	line   textLine
	at     int
	col    int // nodeMap, nodeSeq: the column of its keys or dashes
	parent int // the column of the block collection holding it (-1: none)
	indent int // nodeBlockScalar: its indentation indicator, or 0
	// open: a quoted scalar or a flow collection that goes on past its
	// line. Its kind is known, where it ends is not: it cannot be skipped.
	open bool
}

// keyToken is a mapping key: its position (at), its value's bytes
// text[start:end] (inside the quotes of a quoted key), its quote, and the
// offset of the ':' after a block mapping key.
type keyToken struct {
	at, start, end int
	quote          byte
	colon          int
}

// plainText reports whether the fast paths can read text as yaml.v3 does:
// valid UTF-8 of characters its reader accepts (no control characters but
// tab, line feed and a carriage return before one), no BOM (yaml.v3 skips
// one at the start of any line, shifting columns, and reads UTF-16 after
// FE FF or FF FE), and no line break but "\n" and "\r\n" (it also breaks
// lines at a lone "\r", NEL, LS and PS).
func plainText(text []byte) bool {
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if !plainASCII(c) && (c != '\r' || i+1 == len(text) || text[i+1] != '\n') {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(text[i:])
		switch {
		case r == utf8.RuneError && n == 1, // not UTF-8
			r < 0xA0,                 // C1 control characters, NEL
			r == 0x2028, r == 0x2029, // LS, PS
			r == 0xFEFF,              // BOM
			r == 0xFFFE, r == 0xFFFF: // not characters
			return false
		}
		i += n
	}
	return true
}

// plainASCII reports whether plainText takes ASCII byte c as it is: not
// a control character other than tab and line feed, not DEL.
func plainASCII(c byte) bool {
	return c >= 0x20 && c < 0x7F || c == '\t' || c == '\n'
}

// lookupText is lookup over the text: how many segments it followed
// (depth) and the 1-based line and column in the document of the deepest
// node reached: the key for a map key, the item for a sequence index, the
// root mapping when not even the first segment is there.
func (w *walker) lookupText(segs []Segment) (depth, line, col int, ok bool) {
	cur, ok := w.root()
	if !ok {
		return 0, 0, 0, false
	}
	line, col = w.position(cur.line, cur.at)
	for i, s := range segs {
		more := i+1 < len(segs)
		var next node
		var at textLine
		var off int
		var found bool
		switch {
		case cur.kind == nodeMap && !s.IsIdx:
			var k keyToken
			at, k, found, ok = w.findKey(cur, s.Key)
			off = k.at
			if ok && found && more {
				next, ok = w.nodeAfter(at, k.colon+1, cur)
			}
		case cur.kind == nodeSeq && s.IsIdx:
			next, found, ok = w.findItem(cur, s.Index)
			at, off = next.line, next.at
		case cur.kind == nodeFlowMap && !s.IsIdx:
			off, next, found, ok = w.findFlowKey(cur, s.Key)
			at = cur.line
		case cur.kind == nodeFlowSeq && s.IsIdx:
			next, found, ok = w.findFlowItem(cur, s.Index)
			at, off = next.line, next.at
		}
		if !ok {
			return 0, 0, 0, false
		}
		if !found {
			break
		}
		depth++
		line, col = w.position(at, off)
		cur = next
	}
	return depth, line, col, true
}

// position is the 1-based line and column of offset off in line l.
// yaml.v3 counts characters, not bytes: count the bytes that start one.
func (w *walker) position(l textLine, off int) (line, col int) {
	col = 1
	for _, c := range w.text[l.start:off] {
		if c&0xC0 != 0x80 {
			col++
		}
	}
	return l.num + 1, col
}

// root is the document's root node, when it is a block mapping, after an
// optional "---" line, blank lines and comments.
func (w *walker) root() (node, bool) {
	l := w.lineAt(0, 0)
	if t := w.text[l.start:l.end]; bytes.HasPrefix(t, []byte("---")) && (len(t) == 3 || t[3] == ' ' || t[3] == '\t') {
		if !w.restIsBlank(l, l.start+3) {
			return node{}, false
		}
		l = w.following(l)
	}
	l, ok := w.nextContent(l)
	if !ok || w.eof(l) {
		return node{}, false
	}
	n, ok := w.nodeAt(l, l.start+w.indent(l), -1)
	if !ok || n.kind != nodeMap {
		return node{}, false
	}
	return n, true
}

// lineAt is the line that starts at offset start.
func (w *walker) lineAt(start, num int) textLine {
	n := len(w.text)
	if start >= n {
		return textLine{start: n, end: n, next: n, num: num}
	}
	l := textLine{start: start, end: n, next: n, num: num}
	if i := bytes.IndexByte(w.text[start:], '\n'); i >= 0 {
		l.end, l.next = start+i, start+i+1
	}
	if l.end > start && w.text[l.end-1] == '\r' {
		l.end--
	}
	return l
}

func (w *walker) following(l textLine) textLine { return w.lineAt(l.next, l.num+1) }

func (w *walker) eof(l textLine) bool { return l.start >= len(w.text) }

// indent is the number of spaces that start the line.
func (w *walker) indent(l textLine) int {
	i := l.start
	for i < l.end && w.text[i] == ' ' {
		i++
	}
	return i - l.start
}

// nextContent is the first line from l on that is neither blank nor a
// comment (or the end of the text). It gives up on a tab that starts a
// line's content: in block context only an error or a construct it does
// not follow puts one there.
func (w *walker) nextContent(l textLine) (textLine, bool) {
	for ; !w.eof(l); l = w.following(l) {
		p := l.start + w.indent(l)
		switch {
		case p == l.end || w.text[p] == '#':
		case w.text[p] == '\t':
			return l, false
		default:
			return l, true
		}
	}
	return l, true
}

// restIsBlank reports whether line l holds only blanks and maybe a comment
// from offset i on.
func (w *walker) restIsBlank(l textLine, i int) bool {
	for i < l.end && (w.text[i] == ' ' || w.text[i] == '\t') {
		i++
	}
	return i == l.end || w.text[i] == '#'
}

func (w *walker) blankAt(l textLine, i int) bool {
	return i == l.end || w.text[i] == ' ' || w.text[i] == '\t'
}

// isDash reports whether a block sequence entry "-" is at offset p.
func (w *walker) isDash(l textLine, p int) bool {
	return p < l.end && w.text[p] == '-' && w.blankAt(l, p+1)
}

// plainStart reports whether a plain scalar in block context starts at
// offset p, among the starts the fast path reads: not an indicator, or "-"
// followed by a non-blank ("-x"). yaml.v3 also starts one at "?x" and
// ":x", which this refuses.
func (w *walker) plainStart(l textLine, p int) bool {
	switch w.text[p] {
	case '-':
		return !w.blankAt(l, p+1)
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ', '\t':
		return false
	}
	return true
}

// nodeAt classifies the node that starts at offset at of line l, whose
// enclosing block collection is at column parent.
func (w *walker) nodeAt(l textLine, at, parent int) (node, bool) {
	t := w.text
	n := node{line: l, at: at, parent: parent}
	switch c := t[at]; {
	case w.isDash(l, at):
		n.kind, n.col = nodeSeq, at-l.start
		return n, true
	case c == '[' || c == '{':
		// A flow collection that goes on past its line is no key: yaml.v3
		// reads keys on one line.
		end, ok := w.flowEnd(l, at)
		if !ok || end >= 0 && !w.restIsBlank(l, end) { // a flow key, or more on the line
			return node{}, false
		}
		n.open = end < 0
		n.kind = nodeFlowSeq
		if c == '{' {
			n.kind = nodeFlowMap
		}
		return n, true
	case c == '|' || c == '>':
		n.kind = nodeBlockScalar
		var end int
		n.indent, _, end = w.blockScalarHeader(l, at+1)
		return n, w.restIsBlank(l, end)
	}
	_, isKey, ok := w.keyAt(l, at)
	switch c := t[at]; {
	case !ok:
		return node{}, false
	case isKey:
		n.kind, n.col = nodeMap, at-l.start
		return n, true
	case c == '"' || c == '\'':
		end, closed := w.quoteEnd(l, at)
		if closed && !w.restIsBlank(l, end+1) {
			return node{}, false
		}
		n.kind, n.open = nodeQuoted, !closed
		return n, true
	case w.plainStart(l, at):
		n.kind = nodePlain
		return n, true
	}
	return node{}, false
}

// nodeAfter is the value after a key's ':' or an item's '-' at offset at
// of line l, in the block collection in: on the same line, on the lines
// below (indented past in's column, or a "-" at the column of a mapping:
// an indentless sequence), or nodeNone.
func (w *walker) nodeAfter(l textLine, at int, in node) (node, bool) {
	t := w.text
	i := at
	for i < l.end && t[i] == ' ' {
		i++
	}
	if i < l.end && t[i] == '\t' {
		return node{}, false
	}
	if i < l.end && t[i] != '#' {
		n, ok := w.nodeAt(l, i, in.col)
		if ok && in.kind == nodeMap && (n.kind == nodeMap || n.kind == nodeSeq) {
			return node{}, false // "a: b: c", "a: - b": errors
		}
		return n, ok
	}
	nl, ok := w.nextContent(w.following(l))
	if !ok {
		return node{}, false
	}
	if !w.eof(nl) {
		ind := w.indent(nl)
		p := nl.start + ind
		if ind > in.col {
			return w.nodeAt(nl, p, in.col)
		}
		if ind == in.col && in.kind == nodeMap && w.isDash(nl, p) {
			return node{kind: nodeSeq, line: nl, at: p, col: ind, parent: in.col}, true
		}
	}
	return node{kind: nodeNone, line: nl}, true
}

// keyAt reads a block mapping key at offset at of line l: a plain scalar
// or a quoted one on the line, then ':' and a blank or the line's end.
// isKey is false for a scalar that is not a key; ok is false for a key it
// cannot compare (a double-quoted key with escapes).
func (w *walker) keyAt(l textLine, at int) (k keyToken, isKey, ok bool) {
	t := w.text
	if c := t[at]; c == '"' || c == '\'' {
		end, closed := w.quoteEnd(l, at)
		if !closed {
			return k, false, true
		}
		j := end + 1
		for j < l.end && (t[j] == ' ' || t[j] == '\t') {
			j++
		}
		if j == l.end || t[j] != ':' || !w.blankAt(l, j+1) {
			return k, false, true
		}
		if c == '"' && bytes.IndexByte(t[at+1:end], '\\') >= 0 {
			return k, true, false
		}
		return keyToken{at: at, start: at + 1, end: end, quote: c, colon: j}, true, true
	}
	if !w.plainStart(l, at) {
		return k, false, true
	}
	end := at
	for i := at; i < l.end; i++ {
		switch t[i] {
		case ':':
			if w.blankAt(l, i+1) {
				return keyToken{at: at, start: at, end: end, colon: i}, true, true
			}
		case '#':
			if t[i-1] == ' ' || t[i-1] == '\t' { // a comment: a scalar, not a key
				return k, false, true
			}
		case ' ', '\t':
			continue // trailing blanks are not part of the key
		}
		end = i + 1
	}
	return k, false, true
}

// keyIs reports whether key k's value (yaml.v3's Node.Value) is key.
func (w *walker) keyIs(k keyToken, key string) bool {
	raw := w.text[k.start:k.end]
	if k.quote != '\'' {
		return string(raw) == key
	}
	// '' in a single-quoted scalar is one '.
	j := 0
	for i := 0; i < len(raw); i++ {
		if j == len(key) || raw[i] != key[j] {
			return false
		}
		if raw[i] == '\'' {
			i++ // the second quote
		}
		j++
	}
	return j == len(key)
}

// quoteEnd finds the closing quote of the quoted scalar at offset at on
// the same line.
func (w *walker) quoteEnd(l textLine, at int) (int, bool) {
	t := w.text
	q := t[at]
	for i := at + 1; i < l.end; i++ {
		switch {
		case q == '"' && t[i] == '\\':
			i++
		case t[i] == q && q == '\'' && i+1 < l.end && t[i+1] == '\'':
			i++
		case t[i] == q:
			return i, true
		}
	}
	return 0, false
}

// blockScalarHeader reads the indicators after "|" or ">" from offset i:
// chomping and indentation, in either order. It returns the indentation
// indicator (0 when absent), the chomping (-1 for "-", 1 for "+", else 0)
// and the offset after them.
func (w *walker) blockScalarHeader(l textLine, i int) (indent, chomp, end int) {
	t := w.text
	for range 2 {
		if i == l.end {
			break
		}
		if c := t[i]; (c == '+' || c == '-') && chomp == 0 {
			chomp = 1
			if c == '-' {
				chomp = -1
			}
		} else if c >= '1' && c <= '9' && indent == 0 {
			indent = int(c - '0')
		} else {
			break
		}
		i++
	}
	return indent, chomp, i
}

// skip passes over node n and returns the first content line after it.
func (w *walker) skip(n node) (textLine, bool) {
	switch {
	case n.open:
		return n.line, false
	case n.kind == nodeNone:
		return n.line, true
	case n.kind == nodePlain:
		return w.skipPlain(n)
	case n.kind == nodeBlockScalar:
		return w.skipBlockScalar(n)
	case n.kind == nodeMap:
		return w.skipMap(n)
	case n.kind == nodeSeq:
		return w.skipSeq(n)
	}
	// A quoted scalar or a flow collection ends on its line.
	return w.nextContent(w.following(n.line))
}

// skipPlain passes over a plain scalar: yaml.v3 continues it on the
// following lines indented past the collection that holds it (a comment
// there ends it, and anything after that would be an error).
func (w *walker) skipPlain(n node) (textLine, bool) {
	l := w.following(n.line)
	for !w.eof(l) {
		ind := w.indent(l)
		if l.start+ind < l.end && ind <= n.parent {
			break
		}
		l = w.following(l)
	}
	return w.nextContent(l)
}

// skipBlockScalar passes over the content of a block scalar the way
// yaml.v3 measures it: the indentation is the indicator's past the
// enclosing collection, or that of the first non-empty line (at least one
// past the collection, and no less than the spaces of the empty lines
// before it); the content ends at the first non-empty line indented less.
func (w *walker) skipBlockScalar(n node) (textLine, bool) {
	t := w.text
	indent := 0
	if n.indent > 0 {
		indent = n.indent
		if n.parent >= 0 {
			indent += n.parent
		}
	}
	l := w.following(n.line)
	maxIndent := 0
	for ; !w.eof(l); l = w.following(l) {
		sp := w.indent(l)
		if indent > 0 && sp > indent {
			sp = indent
		}
		maxIndent = max(maxIndent, sp)
		p := l.start + sp
		if (indent == 0 || sp < indent) && p < l.end && t[p] == '\t' {
			return l, false
		}
		if p < l.end {
			break
		}
	}
	if indent == 0 {
		indent = max(maxIndent, n.parent+1, 1)
	}
	for ; !w.eof(l); l = w.following(l) {
		sp := w.indent(l)
		p := l.start + sp
		if p < l.end && sp < indent {
			if t[p] == '\t' {
				return l, false
			}
			break
		}
	}
	return w.nextContent(l)
}

// skipMap passes over a block mapping.
func (w *walker) skipMap(n node) (textLine, bool) {
	l, at := n.line, n.at
	for {
		k, isKey, ok := w.keyAt(l, at)
		if !ok || !isKey {
			return l, false
		}
		next, more, ok := w.afterEntry(n, l, k.colon+1)
		if !ok || !more {
			return next, ok
		}
		l, at = next, next.start+n.col
	}
}

// afterEntry passes over the value after offset at of line l (a key's ':'
// or an item's '-') in block collection n, and returns the line of the
// next entry (more) or the first content line after n. An entry more
// indented than n's column is one only an error puts there: give up.
func (w *walker) afterEntry(n node, l textLine, at int) (next textLine, more, ok bool) {
	v, ok := w.nodeAfter(l, at, n)
	if !ok {
		return l, false, false
	}
	next, ok = w.skip(v)
	if !ok || w.eof(next) {
		return next, false, ok
	}
	ind := w.indent(next)
	switch {
	case ind > n.col:
		return next, false, false
	case ind < n.col:
		return next, false, true
	case n.kind == nodeSeq:
		// At the same column, a line that is not "-" ends an indentless
		// sequence: the next key of the mapping holding it.
		return next, w.isDash(next, next.start+ind), true
	}
	return next, true, true
}

// findKey looks for the first entry of block mapping n whose key is key
// (yaml.v3's lookup takes the first of duplicate keys). It returns the
// key's line and token.
func (w *walker) findKey(n node, key string) (textLine, keyToken, bool, bool) {
	l, at := n.line, n.at
	for {
		k, isKey, ok := w.keyAt(l, at)
		if !ok || !isKey {
			return l, k, false, false
		}
		if w.keyIs(k, key) {
			return l, k, true, true
		}
		next, more, ok := w.afterEntry(n, l, k.colon+1)
		if !ok {
			return l, k, false, false
		}
		if !more {
			// The root mapping ends only with the text.
			return l, k, false, n.parent >= 0 || w.eof(next)
		}
		l, at = next, next.start+n.col
	}
}

// skipSeq passes over a block sequence.
func (w *walker) skipSeq(n node) (textLine, bool) {
	l, dash := n.line, n.at
	for {
		next, more, ok := w.afterEntry(n, l, dash+1)
		if !ok || !more {
			return next, ok
		}
		l, dash = next, next.start+n.col
	}
}

// findItem is item idx of block sequence n. It gives up on an empty item,
// whose position yaml.v3 does not put at the "-".
func (w *walker) findItem(n node, idx int) (node, bool, bool) {
	if idx < 0 {
		return node{}, false, true
	}
	l, dash := n.line, n.at
	for i := 0; ; i++ {
		if i == idx {
			item, ok := w.nodeAfter(l, dash+1, n)
			if !ok || item.kind == nodeNone {
				return node{}, false, false
			}
			return item, true, true
		}
		next, more, ok := w.afterEntry(n, l, dash+1)
		if !ok || !more {
			return node{}, false, ok
		}
		l, dash = next, next.start+n.col
	}
}

// skipBlanks is the first offset from i on line l that is not a blank.
func (w *walker) skipBlanks(l textLine, i int) int {
	for i < l.end && (w.text[i] == ' ' || w.text[i] == '\t') {
		i++
	}
	return i
}

// flowEnd is the offset after the flow node (a collection or a scalar)
// that starts at offset at of line l, or -1 when it goes on past the line.
// It gives up on what the fast path does not read in it.
func (w *walker) flowEnd(l textLine, at int) (int, bool) {
	t := w.text
	if c := t[at]; c != '[' && c != '{' {
		end, ok := w.flowScalarEnd(l, at)
		if end == l.end {
			end = -1 // maybe continued below
		}
		return end, ok
	}
	depth := 0
	for i := at; i < l.end; {
		switch t[i] {
		case '[', '{':
			depth++
			i++
		case ']', '}':
			depth--
			i++
			if depth == 0 {
				return i, true
			}
		case ',', ':', ' ', '\t':
			i++ // in flow context a ':' that starts a token is a value indicator
		case '#':
			return -1, true // a comment: the collection goes on below
		default:
			end, ok := w.flowScalarEnd(l, i)
			if !ok {
				return 0, false
			}
			i = end
		}
	}
	return -1, true
}

// flowScalarEnd is the offset after the scalar that starts at offset at
// of line l in flow context (for a plain scalar, after its last non-blank
// character; for a quoted scalar that goes on past the line, the line's
// end). It gives up on anything else that can start a token there:
// anchors, aliases, tags, "?", a comment.
func (w *walker) flowScalarEnd(l textLine, at int) (int, bool) {
	t := w.text
	switch c := t[at]; c {
	case '"', '\'':
		if end, closed := w.quoteEnd(l, at); closed {
			return end + 1, true
		}
		return l.end, true
	case '-':
		if w.blankAt(l, at+1) {
			return 0, false
		}
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`', ' ', '\t':
		return 0, false
	}
	// A plain scalar in flow context ends at ": ", at a flow indicator or
	// at a comment; yaml.v3 also ends it at '?', which this refuses.
	end := at
	for i := at; i < l.end; i++ {
		switch t[i] {
		case ':':
			if w.blankAt(l, i+1) {
				return end, true
			}
		case ',', '[', ']', '{', '}':
			return end, true
		case '?':
			return 0, false
		case '#':
			if t[i-1] == ' ' || t[i-1] == '\t' {
				return end, true
			}
		case ' ', '\t':
			continue
		}
		end = i + 1
	}
	return end, true
}

// flowNodeAt classifies the flow node at offset at of line l: a nested
// collection, a scalar, or nodeNone for an empty value (at ',', '}' or
// ']').
func (w *walker) flowNodeAt(l textLine, at int) (node, bool) {
	if at == l.end {
		return node{}, false
	}
	n := node{line: l, at: at, parent: -1}
	switch t := w.text; t[at] {
	case '{':
		n.kind = nodeFlowMap
	case '[':
		n.kind = nodeFlowSeq
	case ',', '}', ']':
		n.kind = nodeNone
	default:
		if _, ok := w.flowScalarEnd(l, at); !ok {
			return node{}, false
		}
		n.kind = nodePlain
	}
	return n, true
}

// flowKeyAt reads a flow mapping key at offset at of line l and returns
// it and the offset after it.
func (w *walker) flowKeyAt(l textLine, at int) (keyToken, int, bool) {
	t := w.text
	if c := t[at]; c == '"' || c == '\'' {
		end, ok := w.quoteEnd(l, at)
		if !ok || c == '"' && bytes.IndexByte(t[at+1:end], '\\') >= 0 {
			return keyToken{}, 0, false
		}
		return keyToken{at: at, start: at + 1, end: end, quote: c}, end + 1, true
	}
	end, ok := w.flowScalarEnd(l, at)
	if !ok || t[at] == '[' || t[at] == '{' {
		return keyToken{}, 0, false
	}
	return keyToken{at: at, start: at, end: end}, end, true
}

// findFlowKey looks for the first key of flow mapping n that is key and
// returns its offset and its value.
func (w *walker) findFlowKey(n node, key string) (int, node, bool, bool) {
	t, l := w.text, n.line
	for i := n.at + 1; ; {
		i = w.skipBlanks(l, i)
		if i == l.end {
			return 0, node{}, false, false
		}
		if t[i] == '}' {
			return 0, node{}, false, true
		}
		k, j, ok := w.flowKeyAt(l, i)
		if !ok {
			return 0, node{}, false, false
		}
		j = w.skipBlanks(l, j)
		hasValue := j < l.end && t[j] == ':'
		if hasValue {
			j = w.skipBlanks(l, j+1)
		}
		if w.keyIs(k, key) {
			if !hasValue {
				return k.at, node{kind: nodeNone, line: l}, true, true
			}
			v, ok := w.flowNodeAt(l, j)
			return k.at, v, true, ok
		}
		if hasValue && j < l.end && t[j] != ',' && t[j] != '}' {
			end, ok := w.flowEnd(l, j)
			if !ok || end < 0 {
				return 0, node{}, false, false
			}
			j = w.skipBlanks(l, end)
		}
		switch {
		case j < l.end && t[j] == ',':
			i = j + 1
		case j < l.end && t[j] == '}':
			return 0, node{}, false, true
		default:
			return 0, node{}, false, false
		}
	}
}

// findFlowItem is item idx of flow sequence n. It gives up on an implicit
// pair ("[a: b]"), an item that is a single-pair mapping.
func (w *walker) findFlowItem(n node, idx int) (node, bool, bool) {
	if idx < 0 {
		return node{}, false, true
	}
	t, l := w.text, n.line
	for i, count := n.at+1, 0; ; count++ {
		i = w.skipBlanks(l, i)
		if i == l.end {
			return node{}, false, false
		}
		if t[i] == ']' {
			return node{}, false, true
		}
		item, ok := w.flowNodeAt(l, i)
		if !ok || item.kind == nodeNone {
			return node{}, false, false
		}
		end, ok := w.flowEnd(l, i)
		if !ok || end < 0 {
			return node{}, false, false
		}
		j := w.skipBlanks(l, end)
		if j < l.end && t[j] == ':' {
			return node{}, false, false
		}
		if count == idx {
			return item, true, true
		}
		switch {
		case j < l.end && t[j] == ',':
			i = j + 1
		case j < l.end && t[j] == ']':
			return node{}, false, true
		default:
			return node{}, false, false
		}
	}
}
