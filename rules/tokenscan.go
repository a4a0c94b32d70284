package rules

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// jwtMarker starts every JWT: the base64url encoding of `{"`.
const jwtMarker = "eyJ"

// mayHoldToken reports whether any string inside v could be one in which
// the token rules (policies/tokens/token_leak.rego) find a JWT: it contains
// "eyJ" as written, after one or two levels of base64 decoding, or inside
// a JSON document held in a string (the last-applied-configuration
// annotation). It is a prefilter that only narrows which objects the rules
// read; whether a string holds a ServiceAccount token is decided in Rego.
func mayHoldToken(v any) bool {
	return walkStrings(v, 0)
}

// maxJSONDepth bounds JSON documents nested inside strings.
const maxJSONDepth = 2

func walkStrings(v any, jsonDepth int) bool {
	switch x := v.(type) {
	case string:
		return stringMayHoldToken(x, jsonDepth)
	case map[string]any:
		for _, e := range x {
			if walkStrings(e, jsonDepth) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if walkStrings(e, jsonDepth) {
				return true
			}
		}
	}
	return false
}

func stringMayHoldToken(s string, jsonDepth int) bool {
	if strings.Contains(s, jwtMarker) {
		return true
	}
	if d, ok := decodeBase64(s); ok {
		if strings.Contains(d, jwtMarker) {
			return true
		}
		if d2, ok := decodeBase64(d); ok && strings.Contains(d2, jwtMarker) {
			return true
		}
	}
	t := strings.TrimSpace(s)
	if jsonDepth < maxJSONDepth && strings.HasPrefix(t, "{") && strings.Contains(t, `"data"`) {
		var doc any
		if json.Unmarshal([]byte(t), &doc) == nil {
			return walkStrings(doc, jsonDepth+1)
		}
	}
	return false
}

// decodeBase64 decodes standard base64 with or without padding, after
// trimming white space, as the Rego library's b64decode accepts it. Strings
// too short to hold a JWT are not decoded.
func decodeBase64(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if len(t) < 4 {
		return "", false
	}
	enc := base64.StdEncoding
	if len(t)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	b, err := enc.DecodeString(t)
	if err != nil {
		return "", false
	}
	return string(b), true
}
