package rules

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sascan/sascan/scanner"
)

// Objects converted while a cluster is still being listed
// (Preparer) give exactly the findings of objects converted at
// evaluation, over every rule fixture in cluster mode.
func TestPreparedObjectsGiveTheSameFindings(t *testing.T) {
	_, e := modeEngine(t, ModeCluster)
	files, _ := filepath.Glob("../testdata/rules/*/*.yaml")
	total := 0
	for _, f := range files {
		total += comparePrepared(t, e, f)
	}
	if total < 50 {
		t.Fatalf("only %d findings: the comparison proves little", total)
	}
}

func comparePrepared(t *testing.T, e *Engine, file string) int {
	t.Helper()
	ctx := context.Background()
	m, err := scanner.LoadManifests(ctx, []string{file}, scanner.LoadOptions{})
	if err != nil || len(m.Errors) > 0 {
		t.Fatalf("load %s: %v %v", file, err, m.Errors)
	}
	prep := make([]scanner.RawObject, len(m.Objects))
	pp := NewPreparer(e.proj)
	for i, o := range m.Objects {
		prep[i] = scanner.RawObject{Value: o.Value, Prepared: pp.Prepare(o.Value)}
		if pr := prep[i].Prepared.(prepared); pr.value == nil || pr.proj != e.proj {
			t.Fatalf("object %d was not prepared under the engine's projection", i)
		}
	}
	plain := make([]scanner.RawObject, len(m.Objects))
	for i, o := range m.Objects {
		plain[i] = scanner.RawObject{Value: o.Value}
	}
	eval := func(raws []scanner.RawObject) []Finding {
		inv := scanner.Build(raws, scanner.BuildOptions{Mode: scanner.ModeCluster})
		fs, err := e.Evaluate(ctx, inv, fixtureParams, EvalOptions{Cluster: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	want, got := eval(plain), eval(prep)
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(Finding{})); diff != "" {
		t.Errorf("%s: findings differ (-converted at evaluation +prepared):\n%s", file, diff)
	}
	return len(want)
}
