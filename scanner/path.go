package scanner

import (
	"strconv"
	"strings"
)

// A field path names a field inside an object, as rules report it:
// `spec.template.spec.containers[0].env[1].value`, with keys that are not
// plain identifiers in brackets: `metadata.annotations["kubernetes.io/x"]`.
// Text after the first ':' outside brackets points inside a string value
// (an embedded kubeconfig, say) and has no position of its own.

// Segment is one step of a field path: a map key or a list index.
type Segment struct {
	Key   string
	Index int // used when IsIndex
	IsIdx bool
}

// ParsePath splits a field path into segments. Malformed input yields the
// segments parsed so far; a path is advisory location data, never an error.
func ParsePath(p string) []Segment {
	var segs []Segment
	i := 0
	for i < len(p) {
		switch c := p[i]; c {
		case ':':
			return segs
		case '.':
			i++
		case '[':
			end := i + 1
			if end < len(p) && p[end] == '"' {
				s, n, ok := scanQuoted(p[end:])
				if !ok {
					return segs
				}
				segs = append(segs, Segment{Key: s})
				end += n
				if end >= len(p) || p[end] != ']' {
					return segs
				}
				i = end + 1
				continue
			}
			for end < len(p) && p[end] != ']' {
				end++
			}
			if end >= len(p) {
				return segs
			}
			n, err := strconv.Atoi(p[i+1 : end])
			if err != nil {
				return segs
			}
			segs = append(segs, Segment{Index: n, IsIdx: true})
			i = end + 1
		default:
			end := i
			for end < len(p) && p[end] != '.' && p[end] != '[' && p[end] != ':' {
				end++
			}
			segs = append(segs, Segment{Key: p[i:end]})
			i = end
		}
	}
	return segs
}

// scanQuoted reads a Go-quoted string at the start of s and returns its value
// and the number of bytes consumed.
func scanQuoted(s string) (string, int, bool) {
	for j := 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			v, err := strconv.Unquote(s[:j+1])
			return v, j + 1, err == nil
		}
	}
	return "", 0, false
}

// FormatPath is the inverse of ParsePath.
func FormatPath(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.IsIdx {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.Index))
			b.WriteByte(']')
			continue
		}
		if isIdent(s.Key) {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Key)
			continue
		}
		b.WriteByte('[')
		b.WriteString(strconv.Quote(s.Key))
		b.WriteByte(']')
	}
	return b.String()
}

func isIdent(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
