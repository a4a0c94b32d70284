package rules

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/sascan/sascan/ledger"
	"github.com/sascan/sascan/scanner"
)

// testInventoryDecl is sascan.test.inventory(objects, params): the Rego
// tests' input, built by the scanner's normalization and access model, as
// production builds it (policies/lib/inventory_test.rego).
var testInventoryDecl = &ast.Builtin{
	Name: "sascan.test.inventory",
	Decl: types.NewFunction(types.Args(types.A, types.A), types.A),
}

func testInventory(_ rego.BuiltinContext, objsTerm, paramsTerm *ast.Term) (*ast.Term, error) {
	var objs []map[string]any
	if err := ast.As(objsTerm.Value, &objs); err != nil {
		return nil, fmt.Errorf("sascan.test.inventory: objects: %w", err)
	}
	params, ok := paramsTerm.Value.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("sascan.test.inventory: params must be an object")
	}
	mode := scanner.ModeManifest
	if m := params.Get(ast.StringTerm("_mode")); m != nil && m.Value.Compare(ast.String("cluster")) == 0 {
		mode = scanner.ModeCluster
	}
	raws := make([]scanner.RawObject, len(objs))
	origins := map[int]scanner.Origin{}
	for i, o := range objs {
		if s, ok := o["_origin"].(string); ok {
			origins[i] = scanner.Origin(s)
			delete(o, "_origin")
		}
		raws[i] = scanner.RawObject{Value: o}
	}
	inv := scanner.Build(raws, scanner.BuildOptions{Mode: mode})
	for i, origin := range origins {
		inv.Objects[i].Origin = origin
	}
	var p Params
	if a := params.Get(ast.StringTerm("assumeAutomountWhenSAUnknown")); a != nil {
		b := a.Value.Compare(ast.Boolean(true)) == 0
		p.Settings.AssumeAutomountWhenSAUnknown = &b
	}
	if kv := params.Get(ast.StringTerm("kubeVersion")); kv != nil {
		var v struct {
			Major, Minor int
			Known        bool
		}
		if err := ast.As(kv.Value, &v); err != nil {
			return nil, fmt.Errorf("sascan.test.inventory: kubeVersion: %w", err)
		}
		p.KubeVersion = KubeVersion{Major: v.Major, Minor: v.Minor, Known: v.Known}
	}
	var audit *ledger.Ledger
	if events := params.Get(ast.StringTerm("_audit")); events != nil {
		// Audit events as the log holds them, one JSON line each, read
		// by the ledger as production reads a log.
		var lines []string
		arr, ok := events.Value.(*ast.Array)
		if !ok {
			return nil, fmt.Errorf("sascan.test.inventory: _audit must be an array of events")
		}
		arr.Foreach(func(e *ast.Term) { lines = append(lines, e.String()) })
		l := ledger.New()
		if err := l.ReadFrom(context.Background(), "test.audit.jsonl", strings.NewReader(strings.Join(lines, "\n"))); err != nil {
			return nil, fmt.Errorf("sascan.test.inventory: _audit: %w", err)
		}
		if l.Unparsed > 0 {
			return nil, fmt.Errorf("sascan.test.inventory: _audit: %v", l.LineErrors[0])
		}
		l.Finish()
		audit = l
	}
	v, err := InputValue(inv, NewModel(inv, p), Params{Audit: audit}, InputOptions{Projection: builtinProjection()})
	if err != nil {
		return nil, fmt.Errorf("sascan.test.inventory: %w", err)
	}
	in := v.(ast.Object)
	tp, err := testParams(params)
	if err != nil {
		return nil, err
	}
	in.Insert(ast.StringTerm("params"), ast.NewTerm(tp))
	in.Insert(ast.StringTerm("mode"), ast.StringTerm(string(mode)))
	return ast.NewTerm(in), nil
}

// testClock is the Rego tests' now: 2026-07-01T00:00:00Z.
var testClock = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)

// testParams are a scan's params with the default settings at the test
// clock, with the test's own params over them (key by key, nested objects
// replaced whole).
func testParams(over ast.Object) (ast.Object, error) {
	base, err := ast.InterfaceToValue(Params{Now: testClock, Settings: DefaultSettings(), DefaultNamespace: "default"}.value())
	if err != nil {
		return nil, fmt.Errorf("sascan.test.inventory: params: %w", err)
	}
	p := base.(ast.Object)
	over.Foreach(func(k, v *ast.Term) {
		if s, ok := k.Value.(ast.String); !ok || !strings.HasPrefix(string(s), "_") {
			p.Insert(k, v)
		}
	})
	return p, nil
}

// withTestInventory registers sascan.test.inventory on a query.
func withTestInventory(r *rego.Rego) {
	rego.Function2(&rego.Function{Name: testInventoryDecl.Name, Decl: testInventoryDecl.Decl}, testInventory)(r)
}
