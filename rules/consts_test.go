package rules

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestConstTermsListed: every string literal the input builders pass to
// constTerm, and every host namespace hostTerm passes, is in constTerms,
// so that each is one shared term.
func TestConstTermsListed(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	calls := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "constTerm" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok {
				return true
			}
			calls++
			s, _ := strconv.Unquote(lit.Value)
			if constTerms[s] == nil {
				t.Errorf("%s: constTerm(%q) is not in constTerms", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
	if calls < 50 {
		t.Fatalf("only %d calls of constTerm with a literal found", calls)
	}
	for _, ns := range []string{"hostNetwork", "hostPID", "hostIPC"} {
		if constTerms[ns] == nil {
			t.Errorf("host namespace %q is not in constTerms", ns)
		}
	}
}
