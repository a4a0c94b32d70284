package scanner

import (
	"strings"
	"unsafe"

	"gopkg.in/yaml.v3"
)

// The fast path of loading: a document decoded straight off its text into
// the values the converter makes of yaml.v3's tree (map[string]any, []any,
// string, int64, float64, bool, nil), without building the tree. It gives
// what parseDocumentYAML gives for the document, values and Go types,
// positions and warnings alike, or nothing at all (ok false), and then the
// caller asks yaml.v3, which also reports any syntax error.
//
// It reads what Kubernetes manifests are made of, the way yaml.v3's
// scanner does (scannerc.go): a block mapping at the root, after an
// optional "---" line; block mappings and block sequences by their
// indentation, indentless sequences ("key:\n- a") and compact ones
// ("- a: b", "- - a") too; flow collections that open and close on one
// line ("{}", "[a, 'b']", "{a: [b]}"); plain scalars, continued on more
// indented lines; single- and double-quoted scalars, escapes and line
// folding included; block scalars ("|", ">", with chomping and
// indentation indicators); comments and blank lines; CRLF line ends.
// Plain scalars resolve as yaml.v3 resolves them (plainValue).
//
// It gives up on whatever it is not certain of: text yaml.v3 would read
// differently or not at all (plainText: a BOM, line breaks other than "\n"
// and "\r\n", control characters, invalid UTF-8); anchors, aliases and
// tags; merge keys ("<<"); complex keys ("? ", flow collections as keys);
// duplicate keys; implicit pairs in flow sequences ("[a: b]"); trailing
// commas in flow collections; flow collections that go on past their line
// and comments inside them; plain scalars starting with an indicator it
// does not read ("?x", ":x", "%", "@", "`"); double-quoted keys with
// escapes; keys of more than maxSimpleKey bytes; tabs in indentation,
// after "-" and ":"; a comment right after a token, without a blank; a
// root that is not a block mapping, or content on the "---" line;
// documents deeper or larger than the converter's limits (maxDepth,
// maxNodesPerDoc); and any line where only a syntax error would put it.
//
// It runs in time linear in the text: every line is read a bounded number
// of times, nesting is bounded by maxDepth, and the entries of mappings
// and sequences being read wait on two stacks that are reused.

// maxSimpleKey is the longest key, from its first byte to its ':', that
// the fast path reads: yaml.v3 stops looking for the ':' of an implicit
// key 1024 characters after its start.
const maxSimpleKey = 1000

// fastDoc is a document decoded by the fast path, and its layout.
type fastDoc struct {
	value     any // nil for an empty document
	line, col int // the root mapping's first key, 1-based in the document
	keys      []mapKey
	items     []fastItem // the items of the root's "items" sequence
}

// fastItem is where an item of the root's "items" sequence starts, and its
// keys that typoWarnings reads (a mapping's).
type fastItem struct {
	line, col int
	keys      []mapKey
}

func (d *fastDoc) root() (int, int, []mapKey) { return d.line, d.col, d.keys }

func (d *fastDoc) item(i int) (int, int, []mapKey) {
	it := d.items[i]
	return it.line, it.col, it.keys
}

// parseDocument reads one document: by the fast path when it can, else
// by yaml.v3 (parseDocumentYAML).
func (d *fastDecoder) parseDocument(fc fileChunk) chunkResult {
	if r, ok := d.decodeDocument(fc); ok {
		return r
	}
	return parseDocumentYAML(fc)
}

// decodeDocument is parseDocumentYAML by the fast path, when it can.
func (d *fastDecoder) decodeDocument(fc fileChunk) (chunkResult, bool) {
	doc, ok := d.decode(fc.c.text)
	if !ok {
		return chunkResult{}, false
	}
	return documentResult(fc, doc.value, doc), true
}

// role is what a node is to the document's layout.
type role uint8

const (
	roleNone  role = iota
	roleRoot       // the root mapping: its keys
	roleItems      // the root's "items": where each item starts
	roleItem       // an item of it: its keys
)

type fastPair struct {
	key   string
	value any
}

// fastDecoder reads documents, one at a time. Its stacks and buffer are
// reused from one to the next.
type fastDecoder struct {
	w     walker // the text and the line helpers of textpath.go
	nodes int    // values read, as the converter counts them
	pairs []fastPair
	items []any
	buf   []byte
	doc   fastDoc // valid until the next document
	// col carries a column along a line (position): the start of the line,
	// an offset in it and that offset's 1-based column.
	col struct{ line, off, n int }
}

// position is walker.position with the count carried from the last
// position asked on the same line, so that a line of many flow items
// ("items: [{...}, {...}, ...]") is counted once, not once per item.
func (d *fastDecoder) position(l textLine, off int) (line, col int) {
	if d.col.line != l.start || off < d.col.off {
		d.col.line, d.col.off, d.col.n = l.start, l.start, 1
	}
	for _, c := range d.w.text[d.col.off:off] {
		if c&0xC0 != 0x80 {
			d.col.n++
		}
	}
	d.col.off = off
	return l.num + 1, d.col.n
}

// decode decodes the document text, or gives up (ok false).
func (d *fastDecoder) decode(text []byte) (*fastDoc, bool) {
	if !plainText(text) {
		return nil, false
	}
	// What a document given up on left on the stacks.
	clear(d.pairs)
	clear(d.items)
	d.w, d.nodes, d.pairs, d.items, d.doc = walker{text: text}, 0, d.pairs[:0], d.items[:0], fastDoc{}
	d.col.line, d.col.off, d.col.n = -1, 0, 0
	l := d.w.lineAt(0, 0)
	if isMarker(text[l.start:l.next], "---") {
		if !d.restBlank(l, l.start+3) {
			return nil, false
		}
		l = d.w.following(l)
	}
	l, ok := d.w.nextContent(l)
	if !ok {
		return nil, false
	}
	if d.w.eof(l) {
		return &d.doc, true
	}
	p := l.start + d.w.indent(l)
	if _, isKey, ok := d.w.keyAt(l, p); !ok || !isKey {
		return nil, false
	}
	d.nodes++
	v, next, ok := d.blockMapping(l, p, 0, roleRoot)
	if !ok || !d.w.eof(next) {
		return nil, false
	}
	d.doc.value, d.doc.line, d.doc.col = v, l.num+1, p-l.start+1
	return &d.doc, true
}

// restBlank reports whether line l holds nothing from offset i on but
// blanks and maybe a comment after one.
func (d *fastDecoder) restBlank(l textLine, i int) bool {
	return i == l.end || isBlank(d.w.text[i]) && d.w.restIsBlank(l, i)
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// addKey notes key, on line l, of a mapping of role r when typoWarnings
// reads it.
func (d *fastDecoder) addKey(r role, key string, l textLine) {
	if r != roleRoot && r != roleItem || !typoKey(key) {
		return
	}
	k := mapKey{key, l.num + 1}
	if r == roleRoot {
		d.doc.keys = append(d.doc.keys, k)
	} else {
		it := &d.doc.items[len(d.doc.items)-1]
		it.keys = append(it.keys, k)
	}
}

// itemAt notes where the current item of the root's "items" starts, 1-based.
func (d *fastDecoder) itemAt(line, col int) {
	it := &d.doc.items[len(d.doc.items)-1]
	it.line, it.col = line, col
}

// blockMapping reads the block mapping whose first key is at offset at of
// line l, at nesting depth depth. It returns the mapping and the first
// content line after it.
func (d *fastDecoder) blockMapping(l textLine, at, depth int, r role) (any, textLine, bool) {
	col := at - l.start
	if r == roleItem {
		d.itemAt(l.num+1, col+1)
	}
	base := len(d.pairs)
	var next textLine
	for {
		k, isKey, ok := d.w.keyAt(l, at)
		if !ok || !isKey || k.colon-k.at > maxSimpleKey {
			return nil, l, false
		}
		key, ok := d.key(l, k)
		if !ok {
			return nil, l, false
		}
		d.addKey(r, key, l)
		vr := roleNone
		if r == roleRoot && key == "items" {
			vr = roleItems
		}
		var v any
		v, next, ok = d.value(l, k.colon+1, col, depth+1, true, vr)
		if !ok {
			return nil, l, false
		}
		d.pairs = append(d.pairs, fastPair{key, v})
		if d.w.eof(next) {
			break
		}
		ind := d.w.indent(next)
		if ind < col {
			break
		}
		if ind > col {
			return nil, l, false
		}
		l, at = next, next.start+col
	}
	m, ok := d.mapping(base)
	return m, next, ok
}

// mapping makes a map of the pairs from base on and drops them from the
// stack; ok is false for a duplicate key.
func (d *fastDecoder) mapping(base int) (map[string]any, bool) {
	pairs := d.pairs[base:]
	m := make(map[string]any, len(pairs))
	for _, p := range pairs {
		m[p.key] = p.value
	}
	n := len(pairs)
	clear(pairs)
	d.pairs = d.pairs[:base]
	return m, len(m) == n
}

// sequence makes a slice of the items from base on and drops them from
// the stack.
func (d *fastDecoder) sequence(base int) []any {
	items := d.items[base:]
	s := make([]any, len(items))
	copy(s, items)
	clear(items)
	d.items = d.items[:base]
	return s
}

// key is the value of block mapping key k on line l. A plain "<<" is a
// merge key: no.
func (d *fastDecoder) key(l textLine, k keyToken) (string, bool) {
	if k.quote == 0 {
		raw := d.w.text[k.start:k.end]
		if string(raw) == "<<" {
			return "", false
		}
		return d.str(raw), true
	}
	s, _, _, ok := d.quoted(l, k.at, false)
	return s, ok
}

// str is b, a part of the text, as a string that shares its bytes: the
// loader never writes to a file's text once read, and keeps it for as
// long as any object read from it (docText, for positions), so sharing
// costs no memory and saves a copy of most keys and scalars. Scalars the
// decoder rewrites (escapes, folded lines, block scalars) are new strings.
func (d *fastDecoder) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// value reads the value after a key's ':' or an item's '-' at offset at of
// line l, in the block collection at column col: on the same line, on the
// lines below (indented past col, or for a mapping's value a "-" at col:
// an indentless sequence), or an empty value (nil). It returns the value
// and the first content line after it.
func (d *fastDecoder) value(l textLine, at, col, depth int, mapValue bool, r role) (any, textLine, bool) {
	d.nodes++
	if d.nodes > maxNodesPerDoc || depth > maxDepth {
		return nil, l, false
	}
	t := d.w.text
	i := at
	for i < l.end && t[i] == ' ' {
		i++
	}
	if i < l.end && t[i] == '\t' {
		return nil, l, false // yaml.v3 reads no tab there
	}
	if i < l.end && t[i] != '#' {
		return d.node(l, i, col, depth, r, mapValue)
	}
	nl, ok := d.w.nextContent(d.w.following(l))
	if !ok {
		return nil, l, false
	}
	if !d.w.eof(nl) {
		ind := d.w.indent(nl)
		p := nl.start + ind
		switch {
		case ind > col:
			return d.node(nl, p, col, depth, r, false)
		case ind == col && mapValue && d.w.isDash(nl, p):
			return d.blockSequence(nl, p, depth, r, true)
		}
	}
	return nil, nl, true
}

// node reads the node at offset at of line l in the block collection at
// column col. afterKey: it is on the line of its key, where a block
// collection cannot start.
func (d *fastDecoder) node(l textLine, at, col, depth int, r role, afterKey bool) (any, textLine, bool) {
	t := d.w.text
	switch c := t[at]; {
	case d.w.isDash(l, at):
		if afterKey {
			return nil, l, false
		}
		return d.blockSequence(l, at, depth, r, false)
	case c == '[' || c == '{':
		v, end, ok := d.flowCollection(l, at, depth, r)
		if !ok || !d.restBlank(l, end) {
			return nil, l, false
		}
		return d.after(l, v)
	case c == '|' || c == '>':
		return d.blockScalar(l, at, col)
	case afterKey && c != '"' && c != '\'' && d.w.plainStart(l, at):
		return d.plain(l, at, col) // which gives up on "a: b: c" as keyAt would
	}
	_, isKey, ok := d.w.keyAt(l, at)
	switch c := t[at]; {
	case !ok:
		return nil, l, false
	case isKey:
		if afterKey {
			return nil, l, false
		}
		return d.blockMapping(l, at, depth, r)
	case c == '"' || c == '\'':
		s, end, endAt, ok := d.quoted(l, at, true)
		if !ok || !d.restBlank(end, endAt) {
			return nil, l, false
		}
		return d.after(end, s)
	case d.w.plainStart(l, at):
		return d.plain(l, at, col)
	}
	return nil, l, false
}

// after returns v and the first content line after line l.
func (d *fastDecoder) after(l textLine, v any) (any, textLine, bool) {
	next, ok := d.w.nextContent(d.w.following(l))
	return v, next, ok
}

// blockSequence reads the block sequence whose first "-" is at offset at
// of line l. An indentless one ends at a line at its column that is not a
// "-": the next key of the mapping holding it.
func (d *fastDecoder) blockSequence(l textLine, at, depth int, r role, indentless bool) (any, textLine, bool) {
	col := at - l.start
	base := len(d.items)
	ir := roleNone
	var next textLine
	for {
		if r == roleItems {
			d.doc.items = append(d.doc.items, fastItem{})
			ir = roleItem
		}
		v, n, ok := d.value(l, at+1, col, depth+1, false, ir)
		if !ok {
			return nil, l, false
		}
		next = n
		d.items = append(d.items, v)
		if d.w.eof(next) {
			break
		}
		ind := d.w.indent(next)
		if ind < col {
			break
		}
		p := next.start + ind
		dash := d.w.isDash(next, p)
		if ind > col || !dash && !indentless {
			return nil, l, false
		}
		if !dash {
			break
		}
		l, at = next, p
	}
	return d.sequence(base), next, true
}

// plain reads the plain scalar at offset at of line l in the block
// collection at column col, continued on the lines below that are
// indented past col, as yaml.v3 folds them: a line break is a space, or
// gone before empty lines, which are line breaks.
func (d *fastDecoder) plain(l textLine, at, col int) (any, textLine, bool) {
	t := d.w.text
	end, stop := d.plainEnd(l, at, false)
	if stop != stopLine && stop != stopComment {
		return nil, l, false
	}
	first := t[at:end]
	if stop == stopComment {
		return d.after(l, plainValue(d.str(first)))
	}
	b := d.buf[:0]
	folded := false
	breaks := 0
	cur := d.w.following(l)
	for !d.w.eof(cur) {
		ind := d.w.indent(cur)
		p := cur.start + ind
		if p == cur.end {
			breaks++ // an empty line
			cur = d.w.following(cur)
			continue
		}
		if t[p] == '\t' {
			return nil, l, false // a tab in the indentation
		}
		if ind <= col || t[p] == '#' {
			break
		}
		e, stop := d.plainEnd(cur, p, false)
		if stop != stopLine && stop != stopComment {
			return nil, l, false // "a: b\n  c: d", a key on more than one line
		}
		if !folded {
			b = append(b, first...)
			folded = true
		}
		if breaks == 0 {
			b = append(b, ' ')
		}
		for ; breaks > 0; breaks-- {
			b = append(b, '\n')
		}
		b = append(b, t[p:e]...)
		cur = d.w.following(cur)
		if stop == stopComment {
			break
		}
	}
	next, ok := d.w.nextContent(cur)
	if !ok {
		return nil, l, false
	}
	if !folded {
		return plainValue(d.str(first)), next, true
	}
	d.buf = b
	return plainValue(string(b)), next, true
}

// Why a plain scalar ends on its line.
const (
	stopLine    = iota // at the end of the line
	stopComment        // at a comment
	stopColon          // at ": ": a key
	stopFlow           // at a flow indicator (in flow context)
	stopRefused        // at what the fast path does not read
)

// plainEnd is the offset after the last non-blank byte of the plain scalar
// that starts at offset at of line l, and why it ends there. In flow
// context it also ends at ",[]{}"; a "?" there is refused.
func (d *fastDecoder) plainEnd(l textLine, at int, flow bool) (int, int) {
	t := d.w.text
	end := at
	for i := at; i < l.end; i++ {
		switch c := t[i]; c {
		case ':':
			if d.w.blankAt(l, i+1) {
				return end, stopColon
			}
		case ' ', '\t':
			continue
		case '#':
			if isBlank(t[i-1]) {
				return end, stopComment
			}
		case ',', '[', ']', '{', '}':
			if flow {
				return end, stopFlow
			}
		case '?':
			if flow {
				return end, stopRefused
			}
		}
		end = i + 1
	}
	return end, stopLine
}

// plainValue is the value the converter makes of a plain scalar: what
// scalar gives for a node yaml.v3 resolved, read here for the forms the
// fast path is sure of and left to yaml.v3's own resolution (Node.ShortTag
// resolves an untagged scalar) for the others.
func plainValue(s string) any {
	switch c := s[0]; {
	case c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.':
		if v, ok := decimal(s); ok {
			return v
		}
		if !numeric(s) {
			// Not an int nor a float: a string (yaml.v3 may resolve a
			// timestamp, which scalar gives as the string it is).
			return s
		}
	case c == 't' || c == 'f' || c == 'n' || c == 'T' || c == 'F' || c == 'N' || c == '~':
		switch s {
		case "true", "True", "TRUE":
			return true
		case "false", "False", "FALSE":
			return false
		case "null", "Null", "NULL", "~":
			return nil
		}
		if b, ok := yaml11Bools[s]; ok {
			return b
		}
		return s
	case c == 'y' || c == 'Y' || c == 'o' || c == 'O':
		if b, ok := yaml11Bools[s]; ok {
			return b
		}
		return s
	default:
		// yaml.v3 resolves a scalar by its first byte: from any other, a
		// string, and no YAML 1.1 boolean starts with one.
		return s
	}
	return scalar(&yaml.Node{Kind: yaml.ScalarNode, Value: s})
}

// decimal reads s as a decimal integer without a leading zero (but "0"),
// of at most 18 digits (no overflow), maybe after a "-".
func decimal(s string) (int64, bool) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "0" && len(s) == 1 {
		return 0, true
	}
	if len(digits) == 0 || len(digits) > 18 || digits[0] == '0' {
		return 0, false
	}
	var v int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if len(digits) < len(s) {
		v = -v
	}
	return v, true
}

// numeric reports whether s has only bytes an int or a float yaml.v3
// resolves can have: digits, signs, '.', '_', the letters of hexadecimal
// digits, of exponents and of the prefixes 0x, 0o and 0b.
func numeric(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		case c == 'x', c == 'X', c == 'o', c == 'O', c == '_', c == '+', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}

// quoted reads the quoted scalar at offset at of line l as yaml.v3 does
// (yaml_parser_scan_flow_scalar): ” in a single-quoted one, escapes in a
// double-quoted one, and, when multiline, line breaks folded (a break is a
// space, or gone before empty lines, which are breaks; an escaped break is
// gone) with the blanks around them. It returns the value, the line and
// the offset after the closing quote.
func (d *fastDecoder) quoted(l textLine, at int, multiline bool) (string, textLine, int, bool) {
	t := d.w.text
	q := t[at]
	single := q == '\''
	// Most have nothing to unescape and end on their line: a part of the
	// text.
	for i := at + 1; i < l.end; i++ {
		if c := t[i]; c == q {
			if single && i+1 < l.end && t[i+1] == '\'' {
				break
			}
			return d.str(t[at+1 : i]), l, i + 1, true
		} else if c == '\\' && !single {
			break
		}
	}
	b := d.buf[:0]
	var ws []byte // blanks not yet known to be inside the line
	i := at + 1
	cur := l
	for {
		if i == cur.end && cur.next == cur.end {
			return "", l, 0, false // the end of the text
		}
		leadingBlanks := false
		for i < cur.end && !isBlank(t[i]) {
			c := t[i]
			if single && c == '\'' {
				if i+1 < cur.end && t[i+1] == '\'' {
					b = append(b, '\'')
					i += 2
					continue
				}
				break
			}
			if !single && c == '"' {
				break
			}
			if !single && c == '\\' {
				if i+1 == cur.end {
					// An escaped line break (at the end of the text: an
					// error).
					if !multiline || cur.next == cur.end {
						return "", l, 0, false
					}
					cur = d.w.following(cur)
					i = cur.start
					leadingBlanks = true
					break
				}
				var ok bool
				b, i, ok = unescape(b, t[:cur.end], i)
				if !ok {
					return "", l, 0, false
				}
				continue
			}
			b = append(b, c)
			i++
		}
		if i < cur.end && t[i] == q {
			break
		}
		// Blanks and line breaks.
		leadingBreak := false
		trailing := 0
		for {
			if i < cur.end && isBlank(t[i]) {
				if !leadingBlanks {
					ws = append(ws, t[i])
				}
				i++
				continue
			}
			if i == cur.end && cur.next > cur.end {
				if !multiline {
					return "", l, 0, false
				}
				if !leadingBlanks {
					ws = ws[:0]
					leadingBreak = true
					leadingBlanks = true
				} else {
					trailing++
				}
				cur = d.w.following(cur)
				i = cur.start
				continue
			}
			break
		}
		if leadingBlanks {
			if leadingBreak && trailing == 0 {
				b = append(b, ' ')
			}
			for ; trailing > 0; trailing-- {
				b = append(b, '\n')
			}
		} else {
			b = append(b, ws...)
			ws = ws[:0]
		}
	}
	d.buf = b
	return string(b), cur, i + 1, true
}

// doubleQuotedEscapes are the one-character escapes of YAML's
// double-quoted scalars and what each stands for (read only).
var doubleQuotedEscapes = map[byte]string{
	'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n", 'v': "\v", 'f': "\f",
	'r': "\r", 'e': "\x1b", ' ': " ", '"': "\"", '\'': "'", '\\': "\\",
	'N': "\u0085", '_': "\u00a0", 'L': "\u2028", 'P': "\u2029",
}

// unescape appends the escape sequence at text[i] ('\\') to b and returns
// the offset after it, as yaml.v3 reads it; ok is false for one it does
// not.
func unescape(b, text []byte, i int) ([]byte, int, bool) {
	if i+1 >= len(text) {
		return b, i, false
	}
	n := 0
	switch c := text[i+1]; c {
	case 'x':
		n = 2
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		s, ok := doubleQuotedEscapes[c]
		if !ok {
			return b, i, false
		}
		b = append(b, s...)
	}
	i += 2
	if n == 0 {
		return b, i, true
	}
	if i+n > len(text) {
		return b, i, false
	}
	v := 0
	for _, c := range text[i : i+n] {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 + int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 + int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 + int(c-'A'+10)
		default:
			return b, i, false
		}
	}
	if v >= 0xD800 && v <= 0xDFFF || v > 0x10FFFF {
		return b, i, false
	}
	// yaml.v3 writes the code point as UTF-8 by hand, the same bytes.
	switch {
	case v <= 0x7F:
		b = append(b, byte(v))
	case v <= 0x7FF:
		b = append(b, byte(0xC0+(v>>6)), byte(0x80+(v&0x3F)))
	case v <= 0xFFFF:
		b = append(b, byte(0xE0+(v>>12)), byte(0x80+((v>>6)&0x3F)), byte(0x80+(v&0x3F)))
	default:
		b = append(b, byte(0xF0+(v>>18)), byte(0x80+((v>>12)&0x3F)), byte(0x80+((v>>6)&0x3F)), byte(0x80+(v&0x3F)))
	}
	return b, i + n, true
}

// blockScalar reads the block scalar whose "|" or ">" is at offset at of
// line l, in the block collection at column col, as yaml.v3 does
// (yaml_parser_scan_block_scalar): its indentation is the indicator's past
// col, or that of its first non-empty line (at least col+1, and no less
// than the spaces of the empty lines before it); it ends at the first
// non-empty line indented less.
func (d *fastDecoder) blockScalar(l textLine, at, col int) (any, textLine, bool) {
	t := d.w.text
	literal := t[at] == '|'
	inc, chomp, i := d.w.blockScalarHeader(l, at+1)
	if !d.restBlank(l, i) {
		return nil, l, false // "|0", "| x", "|#"
	}
	indent := 0
	if inc > 0 {
		indent = col + inc
	}
	b := d.buf[:0]
	cur := d.w.following(l)
	cur, sp, trailing, ok := d.blockBreaks(cur, &indent, col)
	if !ok {
		return nil, l, false
	}
	leadingBreak, leadingBlank := false, false
	for !d.w.eof(cur) && sp == indent {
		p := cur.start + indent
		if p == cur.end {
			break // spaces up to the end of the text
		}
		trailingBlank := isBlank(t[p])
		if !literal && !leadingBlank && !trailingBlank && leadingBreak {
			if trailing == 0 {
				b = append(b, ' ')
			}
		} else if leadingBreak {
			b = append(b, '\n')
		}
		for ; trailing > 0; trailing-- {
			b = append(b, '\n')
		}
		leadingBlank = trailingBlank
		b = append(b, t[p:cur.end]...)
		leadingBreak = cur.next > cur.end
		cur, sp, trailing, ok = d.blockBreaks(d.w.following(cur), &indent, col)
		if !ok {
			return nil, l, false
		}
	}
	if chomp != -1 && leadingBreak {
		b = append(b, '\n')
	}
	if chomp == 1 {
		for ; trailing > 0; trailing-- {
			b = append(b, '\n')
		}
	}
	d.buf = b
	next, ok := d.w.nextContent(cur)
	if !ok {
		return nil, l, false
	}
	return string(b), next, true
}

// blockBreaks passes over the empty lines of a block scalar from line
// cur on (yaml_parser_scan_block_scalar_breaks): it returns the first line
// that is not, the spaces read off it (at most *indent once that is set),
// and how many line breaks it passed. It sets *indent when it is 0.
func (d *fastDecoder) blockBreaks(cur textLine, indent *int, col int) (textLine, int, int, bool) {
	t := d.w.text
	maxIndent, sp, breaks := 0, 0, 0
	for !d.w.eof(cur) {
		sp = 0
		for p := cur.start; p < cur.end && t[p] == ' ' && (*indent == 0 || sp < *indent); p++ {
			sp++
		}
		maxIndent = max(maxIndent, sp)
		p := cur.start + sp
		if (*indent == 0 || sp < *indent) && p < cur.end && t[p] == '\t' {
			return cur, 0, 0, false
		}
		if p < cur.end || cur.next == cur.end {
			break // a non-empty line, or spaces up to the end of the text
		}
		breaks++
		cur = d.w.following(cur)
	}
	if *indent == 0 {
		*indent = max(maxIndent, col+1, 1)
	}
	return cur, sp, breaks, true
}

// flowCollection reads the flow sequence or mapping at offset at of line
// l, which must close on the line. It returns the offset after it.
func (d *fastDecoder) flowCollection(l textLine, at, depth int, r role) (any, int, bool) {
	if d.w.text[at] == '[' {
		return d.flowSequence(l, at, depth, r)
	}
	return d.flowMapping(l, at, depth, r)
}

func (d *fastDecoder) flowSequence(l textLine, at, depth int, r role) (any, int, bool) {
	t := d.w.text
	base := len(d.items)
	ir := roleNone
	i := d.w.skipBlanks(l, at+1)
	if i < l.end && t[i] == ']' {
		return d.sequence(base), i + 1, true
	}
	for {
		if r == roleItems {
			d.doc.items = append(d.doc.items, fastItem{})
			ir = roleItem
		}
		v, end, ok := d.flowValue(l, i, depth+1, ir)
		if !ok {
			return nil, 0, false
		}
		d.items = append(d.items, v)
		j := d.w.skipBlanks(l, end)
		switch {
		case j < l.end && t[j] == ',':
			i = d.w.skipBlanks(l, j+1)
		case j < l.end && t[j] == ']':
			return d.sequence(base), j + 1, true
		default:
			return nil, 0, false // "[a: b]", or on past the line
		}
	}
}

func (d *fastDecoder) flowMapping(l textLine, at, depth int, r role) (any, int, bool) {
	t := d.w.text
	if r == roleItem {
		d.itemAt(d.position(l, at))
	}
	base := len(d.pairs)
	i := d.w.skipBlanks(l, at+1)
	if i < l.end && t[i] == '}' {
		m, _ := d.mapping(base)
		return m, i + 1, true
	}
	for {
		if i == l.end {
			return nil, 0, false
		}
		var key string
		var end int
		switch c := t[i]; {
		case c == '"' || c == '\'':
			var ok bool
			key, _, end, ok = d.quoted(l, i, false)
			if !ok {
				return nil, 0, false
			}
		case d.w.plainStart(l, i) && c != '[' && c != '{':
			var stop int
			end, stop = d.plainEnd(l, i, true)
			if stop != stopColon && stop != stopLine && stop != stopFlow {
				return nil, 0, false
			}
			key = d.str(t[i:end])
			if key == "<<" {
				return nil, 0, false
			}
		default:
			return nil, 0, false
		}
		j := d.w.skipBlanks(l, end)
		if j == l.end || t[j] != ':' || j-i > maxSimpleKey {
			return nil, 0, false // "{a}", "{a, b}", or a key too long
		}
		d.addKey(r, key, l)
		j = d.w.skipBlanks(l, j+1)
		var v any
		if j < l.end && (t[j] == ',' || t[j] == '}') {
			d.nodes++
			if d.nodes > maxNodesPerDoc || depth+1 > maxDepth {
				return nil, 0, false
			}
		} else {
			var ok bool
			v, end, ok = d.flowValue(l, j, depth+1, roleNone)
			if !ok {
				return nil, 0, false
			}
			j = d.w.skipBlanks(l, end)
		}
		d.pairs = append(d.pairs, fastPair{key, v})
		switch {
		case j < l.end && t[j] == ',':
			i = d.w.skipBlanks(l, j+1)
		case j < l.end && t[j] == '}':
			m, ok := d.mapping(base)
			return m, j + 1, ok
		default:
			return nil, 0, false
		}
	}
}

// flowValue reads the flow node at offset at of line l: a collection, a
// quoted scalar or a plain one, on the line. It returns the offset after
// it.
func (d *fastDecoder) flowValue(l textLine, at, depth int, r role) (any, int, bool) {
	d.nodes++
	if d.nodes > maxNodesPerDoc || depth > maxDepth || at == l.end {
		return nil, 0, false
	}
	t := d.w.text
	switch c := t[at]; {
	case c == '[' || c == '{':
		return d.flowCollection(l, at, depth, r)
	case c == '"' || c == '\'':
		s, _, end, ok := d.quoted(l, at, false)
		return s, end, ok
	case d.w.plainStart(l, at):
		end, stop := d.plainEnd(l, at, true)
		if stop == stopComment || stop == stopRefused {
			return nil, 0, false
		}
		return plainValue(d.str(t[at:end])), end, true
	}
	return nil, 0, false // an empty item ("[a, , b]", "[,]"), anchors, ...
}
