package rules

import (
	"fmt"

	"github.com/gobwas/glob"
)

// Globs in the config (systemAllowList and exceptions) have one dialect,
// the one Rego's glob.match uses with no delimiters (policies/lib/allowlist
// passes null): "*" matches any run of characters, dots and dashes
// included; "?" one character; "[a-z]" and "[!a-z]" a class; "{a,b}"
// either; "\" escapes. An empty pattern matches anything.

// compileGlob checks a pattern of the config.
func compileGlob(pattern string) (*glob.Pattern, error) {
	if pattern == "" {
		pattern = "*"
	}
	g, err := glob.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad glob %q: %w", pattern, err)
	}
	return g, nil
}

// globMatch reports whether s matches pattern.
func globMatch(pattern, s string) bool {
	g, err := compileGlob(pattern)
	return err == nil && g.Match(s)
}
