package rules

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	opa "github.com/open-policy-agent/opa/v1/ast"

	"github.com/sascan/sascan/scanner"
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

// TestInputKeysShared: the keys of two objects' terms in the input are the
// same terms, not equal copies.
func TestInputKeysShared(t *testing.T) {
	inv := loadInventory(t, scanner.ModeManifest, "../examples/demo")
	input, err := InputValue(inv, NewModel(inv, fixtureParams), fixtureParams, InputOptions{})
	if err != nil {
		t.Fatal(err)
	}
	objs := input.(opa.Object).Get(opa.StringTerm("objects")).Value.(*opa.Array)
	if objs.Len() < 2 {
		t.Fatalf("%d objects", objs.Len())
	}
	first := map[string]*opa.Term{}
	for _, k := range objs.Elem(0).Value.(opa.Object).Keys() {
		first[string(k.Value.(opa.String))] = k
	}
	keys := objs.Elem(1).Value.(opa.Object).Keys()
	if len(keys) < 10 {
		t.Fatalf("an object term with %d keys", len(keys))
	}
	for _, k := range keys {
		name := string(k.Value.(opa.String))
		if first[name] != k {
			t.Errorf("key %q: two terms", name)
		}
	}
}
