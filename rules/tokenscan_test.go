package rules

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/sascan/sascan/scanner"
)

func TestMayHoldToken(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2lnbmF0dXJlc2lnbmF0dXJl"
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	kubeconfig := "apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: " + jwt + "\n"
	applied, _ := json.Marshal(map[string]any{"kind": "Secret", "data": map[string]any{"token": b64(jwt)}})
	cases := []struct {
		name string
		v    any
		want bool
	}{
		{"raw in a nested list", map[string]any{"spec": []any{map[string]any{"args": []any{"--token=" + jwt}}}}, true},
		{"base64", map[string]any{"data": map[string]any{"t": b64(jwt)}}, true},
		{"base64 with a trailing newline", map[string]any{"data": map[string]any{"t": b64(jwt) + "\n"}}, true},
		{"double base64", map[string]any{"data": map[string]any{"t": b64(b64(jwt))}}, true},
		{"kubeconfig, base64", map[string]any{"data": map[string]any{"config": b64(kubeconfig)}}, true},
		{"last-applied JSON with base64 data", map[string]any{"metadata": map[string]any{"annotations": map[string]any{"a": string(applied)}}}, true},
		{"triple base64 is beyond the rules too", map[string]any{"data": map[string]any{"t": b64(b64(b64(jwt)))}}, false},
		{"no token", map[string]any{"data": map[string]any{"password": b64("hunter2"), "note": "eyj, EYJ"}}, false},
		{"numbers and booleans", map[string]any{"replicas": int64(3), "on": true, "x": nil}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := mayHoldToken(c.v); got != c.want {
				t.Errorf("mayHoldToken = %v, want %v", got, c.want)
			}
		})
	}
}

// The token-candidate index only narrows which objects and pod specs SA003
// reads: over every fixture and the shared corpus, SA003 finds the same
// with the index as when it reads every object and pod spec.
func TestTokenCandidatesChangeNoFinding(t *testing.T) {
	cat, err := Load(LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	compiler := newCompiler()
	if compiler.Compile(cat.modules); compiler.Failed() {
		t.Fatal(compiler.Errors)
	}
	ctx := context.Background()
	pq, err := rego.New(rego.Query("x = data.sascan.rules.tokens.token_leak.findings"), rego.Compiler(compiler), withBuiltins).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	eval := func(t *testing.T, input ast.Value) any {
		rs, err := pq.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil || len(rs) != 1 {
			t.Fatalf("eval: %v (%d results)", err, len(rs))
		}
		return rs[0].Bindings["x"]
	}
	paths, _ := filepath.Glob("../testdata/rules/*")
	paths = append(paths, corpusDirs(t, sharedCorpus)...)
	found := 0
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			inv := loadInventory(t, scanner.ModeManifest, p)
			input, err := InputValue(inv, NewModel(inv, fixtureParams), fixtureParams, InputOptions{Projection: builtinProjection()})
			if err != nil {
				t.Fatal(err)
			}
			with := eval(t, input)
			all := ast.NewObject()
			input.(ast.Object).Foreach(func(k, v *ast.Term) {
				if k.Value.Compare(ast.String("tokenCandidates")) != 0 && k.Value.Compare(ast.String("tokenCandidateSpecs")) != 0 {
					all.Insert(k, v)
				}
			})
			without := eval(t, all)
			if diff := cmp.Diff(without, with); diff != "" {
				t.Errorf("SA003 findings differ with the index (-all objects +index):\n%s", diff)
			}
			found += len(with.([]any))
		})
	}
	if found == 0 {
		t.Fatal("no SA003 finding at all: the comparison proves nothing")
	}
}
