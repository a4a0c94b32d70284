package rules

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestRego runs every *_test.rego of the built-in policies, one subtest per
// Rego test, so `go test ./...` is the whole suite.
func TestRego(t *testing.T) {
	cat, err := Load(LoadOptions{Tests: true})
	if err != nil {
		t.Fatal(err)
	}
	mods := map[string]*ast.Module{}
	for f, m := range cat.Modules() {
		mods[f] = m
	}
	for f, m := range cat.TestModules() {
		mods[f] = m
	}
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = append(append(caps.Builtins, testInventoryDecl), Builtins()...)
	ch, err := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithCapabilities(caps).WithEnablePrintStatements(true)).
		AddCustomBuiltins([]*tester.Builtin{{Decl: testInventoryDecl, Func: withTestInventory}, {Decl: Builtins()[0], Func: withBuiltins}}).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true).
		Run(context.Background(), mods)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range ch {
		n++
		t.Run(r.Package+"."+r.Name, func(t *testing.T) {
			if r.Error != nil {
				t.Fatalf("%s: error: %v\n%s", r.Location, r.Error, r.Output)
			}
			if r.Fail {
				t.Fatalf("%s: failed\n%s", r.Location, r.Output)
			}
			if r.Skip {
				t.Skip("skipped")
			}
		})
	}
	if n == 0 {
		t.Fatal("no Rego tests found")
	}
}
