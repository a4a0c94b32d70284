package rules

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/sascan/sascan/scanner"
)

// Objects converted while a cluster is still being listed
// (PrepareObject) give exactly the findings of objects converted at
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
	for i, o := range m.Objects {
		prep[i] = scanner.RawObject{Value: o.Value, Prepared: PrepareObject(o.Value)}
		if prep[i].Prepared.(prepared).value == nil {
			t.Fatalf("object %d was not prepared", i)
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

// Building pod_specs once, from one share per core, gives exactly the
// findings of each partition building it: every fixture folder and the
// shared corpus, in both modes.
func TestSharedPodSpecsGiveTheSameFindings(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	ctx := context.Background()
	dirs, _ := filepath.Glob("../testdata/rules/*")
	dirs = append(dirs, corpusDirs(t, sharedCorpus)...)
	total := 0
	for _, mode := range []string{ModeManifest, ModeCluster} {
		_, e := modeEngine(t, mode)
		if len(e.parts) < 2 {
			t.Fatalf("%d partitions: nothing to share", len(e.parts))
		}
		for _, dir := range dirs {
			inv := loadInventory(t, scanner.Mode(mode), dir)
			eval := func(from int) []Finding {
				e.sharePodSpecsFrom = from
				fs, err := e.Evaluate(ctx, inv, fixtureParams, EvalOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return fs
			}
			want, got := eval(math.MaxInt), eval(0)
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(Finding{})); diff != "" {
				t.Errorf("%s (%s): findings differ (-each partition +shared):\n%s", dir, mode, diff)
			}
			total += len(want)
		}
	}
	if total < 200 {
		t.Fatalf("only %d findings: the comparison proves little", total)
	}
}

// The partitions read the shared pod_specs instead of building their own,
// except inside a `with` frame, which may change what it depends on.
func TestSharedCacheServesSharedDocuments(t *testing.T) {
	ctx := context.Background()
	cat, err := Load(LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	compiler := ast.NewCompiler()
	compiler.Compile(cat.modules)
	if compiler.Failed() {
		t.Fatal(compiler.Errors)
	}
	inv := loadInventory(t, scanner.ModeManifest, "../testdata/rules/SA016")
	input, err := InputValue(inv, NewModel(inv), fixtureParams)
	if err != nil {
		t.Fatal(err)
	}
	count := func(query string) any {
		t.Helper()
		pq, err := rego.New(rego.Query(query), rego.Compiler(compiler)).PrepareForEval(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A stand-in shared value that no evaluation would produce.
		shared := []cachedDoc{{podSpecsRef, ast.ArrayTerm()}}
		rs, err := pq.Eval(ctx, rego.EvalParsedInput(input), rego.EvalVirtualCache(newSharedCache(shared)))
		if err != nil || len(rs) != 1 {
			t.Fatalf("%s: %v %v", query, rs, err)
		}
		return rs[0].Bindings["x"]
	}
	if got := count("x := count(data.sascan.lib.k8s.pod_specs)"); fmt.Sprint(got) != "0" {
		t.Errorf("count(pod_specs) = %v, want 0 from the shared stand-in", got)
	}
	want := fmt.Sprint(len(inv.PodSpecs))
	if got := count(`x := count(data.sascan.lib.k8s.pod_specs) with input.share as null`); fmt.Sprint(got) != want || want == "0" {
		t.Errorf("count(pod_specs) inside with = %v, want %s built anew", got, want)
	}
}

// pod_specs is built ahead only when an enabled rule reads it, directly or
// through the library: SA009 does (a listed token Secret that workloads
// mount), SA015 does not although it reads lib/rbac, which does elsewhere.
func TestEngineKnowsWhichRulesReadPodSpecs(t *testing.T) {
	cat, err := Load(LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"SA018": true, "SA004": true, "SA009": true, "SA010": false, "SA015": false, "SA027": false} {
		enabled, err := Select(cat, ModeManifest, []string{id}, nil)
		if err != nil {
			t.Fatal(err)
		}
		e, err := NewEngine(context.Background(), cat, enabled)
		if err != nil {
			t.Fatal(err)
		}
		if e.readsPodSpecs != want {
			t.Errorf("%s: readsPodSpecs = %v, want %v", id, e.readsPodSpecs, want)
		}
	}
}

// podSpecs joins the shares into exactly the pod_specs array lib/k8s
// defines, and Evaluate goes through it whenever the prelude applies: an
// engine whose share query never evaluates pod_specs_share must fail there,
// and succeed once the prelude is off.
func TestEvaluateBuildsPodSpecsFromShares(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	ctx := context.Background()
	cat, e := modeEngine(t, ModeManifest)
	inv := loadInventory(t, scanner.ModeManifest, "../testdata/rules")
	input, err := InputValue(inv, NewModel(inv), fixtureParams)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.PodSpecs) < 3 {
		t.Fatalf("only %d pod specs: the interleaving proves little", len(inv.PodSpecs))
	}
	got, err := e.podSpecs(ctx, input, len(inv.PodSpecs))
	if err != nil {
		t.Fatal(err)
	}
	compiler := ast.NewCompiler()
	compiler.Compile(cat.modules)
	pq, err := rego.New(rego.Query("count(data.sascan.lib.k8s.pod_specs) >= 0"), rego.Compiler(compiler)).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vc := topdown.NewVirtualCache()
	if _, err := pq.Eval(ctx, rego.EvalParsedInput(input), rego.EvalVirtualCache(vc)); err != nil {
		t.Fatal(err)
	}
	want, _ := vc.Get(podSpecsRef)
	if want == nil || !got.Equal(want) {
		t.Fatalf("joined shares differ from pod_specs (%d entries)", len(inv.PodSpecs))
	}

	broken, err := rego.New(rego.Query("true"), rego.Compiler(compiler)).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.podShare, e.sharePodSpecsFrom = broken, 0
	if _, err := e.Evaluate(ctx, inv, fixtureParams, EvalOptions{}); err == nil || !strings.Contains(err.Error(), "pod_specs_share was not evaluated") {
		t.Fatalf("Evaluate with a broken share query: err = %v, want the prelude to fail", err)
	}
	e.sharePodSpecsFrom = math.MaxInt
	if _, err := e.Evaluate(ctx, inv, fixtureParams, EvalOptions{}); err != nil {
		t.Fatalf("Evaluate without the prelude: %v", err)
	}
}
