package rules

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"weak"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/sascan/sascan/scanner"
)

// depsOf builds dependency sets from names: rules that name the same
// letters share those dependencies.
func depsOf(specs ...string) []map[*ast.Rule]bool {
	byName := map[rune]*ast.Rule{}
	out := make([]map[*ast.Rule]bool, len(specs))
	for i, s := range specs {
		out[i] = map[*ast.Rule]bool{}
		for _, c := range s {
			if byName[c] == nil {
				byName[c] = &ast.Rule{}
			}
			out[i][byName[c]] = true
		}
	}
	return out
}

// TestScheduleKeepsSharedLibrariesTogether: rules that read the same
// library documents land in one queue, each queue starts with its
// heaviest rule, and every rule is in exactly one queue.
func TestScheduleKeepsSharedLibrariesTogether(t *testing.T) {
	deps := depsOf(
		"pqrstuvwxy",  // 0: the "p" family
		"abcdefgh",    // 1: the "a" family
		"abcdef",      // 2
		"pqrstuvwxyz", // 3: heaviest
		"abcdefghi",   // 4
		"wxyz",        // 5
	)
	got := schedule(deps, 2)
	want := [][]int{{3, 0, 5}, {4, 1, 2}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("schedule = %v, want %v", got, want)
	}
	if got := schedule(deps, 1); fmt.Sprint(got) != "[[3 0 4 1 2 5]]" {
		t.Errorf("one worker: %v, want every rule heaviest first", got)
	}
	if got := schedule(nil, 3); len(got) != 3 || len(got[0])+len(got[1])+len(got[2]) != 0 {
		t.Errorf("no rules: %v", got)
	}
}

// TestWorkQueuesHandOutEachRuleOnce: a worker takes its own queue in
// order, then the lightest rules of the longest other queue; every rule
// is handed out once, also to workers that race.
func TestWorkQueuesHandOutEachRuleOnce(t *testing.T) {
	q := newWorkQueues([][]int{{1, 2}, {3, 4, 5, 6}}, nil)
	var order []int
	for {
		ri, ok := q.next(0)
		if !ok {
			break
		}
		order = append(order, ri)
	}
	if fmt.Sprint(order) != "[1 2 6 5 4 3]" {
		t.Errorf("worker 0 took %v, want [1 2 6 5 4 3]", order)
	}

	s := [][]int{{0, 1, 2, 3, 4}, {5, 6}, {7, 8, 9}}
	for range 50 {
		var mu sync.Mutex
		var got []int
		drain(newWorkQueues(s, nil), 3, func(ri int) {
			mu.Lock()
			got = append(got, ri)
			mu.Unlock()
		})
		slices.Sort(got)
		if fmt.Sprint(got) != "[0 1 2 3 4 5 6 7 8 9]" {
			t.Fatalf("handed out %v", got)
		}
	}
	if fmt.Sprint(s) != "[[0 1 2 3 4] [5 6] [7 8 9]]" {
		t.Errorf("the schedule changed: %v", s)
	}
}

// TestEngineScheduleCoversEveryRule: for the built-in catalogue, on 1, 2,
// 4 and 8 workers, the schedule names every enabled rule once, and the
// rules of the attack-path library share a queue (on many more workers the
// cut into equal shares may part them, which costs CPU but not time).
func TestEngineScheduleCoversEveryRule(t *testing.T) {
	e, enabled := builtinEngine(t)
	deps := dependencies(e.compiler, enabled)
	var pathRules []string
	for _, r := range enabled {
		if r.Family == "paths" {
			pathRules = append(pathRules, r.ID)
		}
	}
	if len(pathRules) < 2 {
		t.Fatalf("attack-path rules: %v", pathRules)
	}
	for _, n := range []int{1, 2, 4, 8} {
		queueOf := map[string]int{}
		for qi, q := range schedule(deps, n) {
			for _, ri := range q {
				if _, dup := queueOf[enabled[ri].ID]; dup {
					t.Errorf("%d workers: %s scheduled twice", n, enabled[ri].ID)
				}
				queueOf[enabled[ri].ID] = qi
			}
		}
		if len(queueOf) != len(enabled) {
			t.Errorf("%d workers: %d rules scheduled, %d enabled", n, len(queueOf), len(enabled))
		}
		for _, id := range pathRules[1:] {
			if queueOf[id] != queueOf[pathRules[0]] {
				t.Errorf("%d workers: %s in queue %d, %s in %d: they share the attack-path library", n, id, queueOf[id], pathRules[0], queueOf[pathRules[0]])
			}
		}
	}
}

// TestBuiltinTwins: in the built-in catalogue the rules that read nearly
// the same library documents, and only those, are twins.
func TestBuiltinTwins(t *testing.T) {
	e, enabled := builtinEngine(t)
	tw := twins(libraryDependencies(e.compiler, enabled))
	var got []string
	for i := range tw {
		for j := i + 1; j < len(tw); j++ {
			if tw[i][j] != tw[j][i] {
				t.Errorf("%s and %s: twins one way only", enabled[i].ID, enabled[j].ID)
			}
			if tw[i][j] {
				pair := []string{enabled[i].ID, enabled[j].ID}
				slices.Sort(pair)
				got = append(got, strings.Join(pair, " "))
			}
		}
	}
	slices.Sort(got)
	want := []string{"SA004 SA019", "SA011 SA012", "SA033 SA034"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("twins (-want +got):\n%s", diff)
	}
}

// TestTwins: rules are twins when the rules they depend on overlap by two
// thirds of their union or more; never with themselves, nor when neither
// depends on anything.
func TestTwins(t *testing.T) {
	rs := make([]*ast.Rule, 10)
	for i := range rs {
		rs[i] = &ast.Rule{}
	}
	set := func(idx ...int) map[*ast.Rule]bool {
		m := map[*ast.Rule]bool{}
		for _, i := range idx {
			m[rs[i]] = true
		}
		return m
	}
	deps := []map[*ast.Rule]bool{
		set(0, 1, 2, 3, 4, 5), // 0
		set(0, 1, 2, 3),       // 1: 4 of 6 shared with 0, two thirds
		set(0, 1, 2, 6, 7),    // 2: 3 of 5 with 1, 3 of 8 with 0
		set(),                 // 3: nothing
		set(),                 // 4: nothing either
		set(8, 9),             // 5
		set(8),                // 6: 1 of 2 with 5, a half
	}
	got := twins(deps)
	want := make([][]bool, len(deps))
	for i := range want {
		want[i] = make([]bool, len(deps))
	}
	want[0][1], want[1][0] = true, true
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("twins (-want +got):\n%s", diff)
	}
}

// TestWorkQueuesKeepTwinsApart: while a worker evaluates a rule, no other
// worker is handed its twin; one with nothing else left waits until the
// rule ends or its worker stops.
func TestWorkQueuesKeepTwinsApart(t *testing.T) {
	tw := [][]bool{{false, true, false}, {true, false, false}, {false, false, false}}
	blocked := func(q *workQueues, w int) bool {
		q.mu.Lock()
		defer q.mu.Unlock()
		_, ok, left := q.pick(w)
		return !ok && left
	}
	for _, c := range []struct {
		name string
		end  func(q *workQueues) // ends worker 0's rule 0
		// want: worker 0's next rule after end (-1: none, it stopped),
		// then worker 1's
		want0, want1 int
	}{
		{"the rule ends", func(q *workQueues) {}, 1, -1},
		{"its worker stops", func(q *workQueues) { q.ended(0) }, -1, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := newWorkQueues([][]int{{0, 1}, {2}}, tw)
			if ri, ok := q.next(0); !ok || ri != 0 {
				t.Fatalf("worker 0 took %d, %v; want 0", ri, ok)
			}
			if ri, ok := q.next(1); !ok || ri != 2 {
				t.Fatalf("worker 1 took %d, %v; want 2", ri, ok)
			}
			if !blocked(q, 1) {
				t.Fatal("worker 1 could take rule 1 while worker 0 evaluates its twin")
			}
			got := make(chan int, 1)
			go func() {
				ri, ok := q.next(1) // ends rule 2; only rule 1 is left
				if !ok {
					ri = -1
				}
				got <- ri
			}()
			c.end(q)
			if c.want0 >= 0 {
				if ri, ok := q.next(0); !ok || ri != c.want0 {
					t.Errorf("worker 0 took %d, %v; want %d", ri, ok, c.want0)
				}
			}
			select {
			case ri := <-got:
				if ri != c.want1 {
					t.Errorf("worker 1 took %d, want %d", ri, c.want1)
				}
			case <-time.After(time.Minute):
				t.Fatal("worker 1 still waits")
			}
		})
	}

	// Many workers racing over rules with twins: each rule is handed out
	// once, and never while a twin of it is evaluated.
	const n = 12
	tw = make([][]bool, n)
	for i := range tw {
		tw[i] = make([]bool, n)
	}
	for _, p := range [][2]int{{0, 1}, {0, 2}, {3, 4}, {5, 11}, {6, 7}, {8, 9}} {
		tw[p[0]][p[1]], tw[p[1]][p[0]] = true, true
	}
	for range 30 {
		var mu sync.Mutex
		active := map[int]bool{}
		var handed []int
		drain(newWorkQueues([][]int{{0, 3, 5, 6}, {1, 4, 8}, {2, 7, 9, 10, 11}}, tw), 3, func(ri int) {
			mu.Lock()
			for other := range active {
				if tw[ri][other] {
					t.Errorf("rule %d handed out while its twin %d runs", ri, other)
				}
			}
			active[ri] = true
			handed = append(handed, ri)
			mu.Unlock()
			runtime.Gosched()
			mu.Lock()
			delete(active, ri)
			mu.Unlock()
		})
		slices.Sort(handed)
		if diff := cmp.Diff([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, handed); diff != "" {
			t.Fatalf("handed out (-want +got):\n%s", diff)
		}
	}
}

// drain has n workers take q's rules until none is left, each calling
// evaluate(rule) before it asks for the next one.
func drain(q *workQueues, n int, evaluate func(ri int)) {
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			for {
				ri, ok := q.next(w)
				if !ok {
					return
				}
				evaluate(ri)
			}
		})
	}
	wg.Wait()
}

// TestEvaluateStopsWithTwins: a cancelled evaluation of two twin rules on
// two workers ends. The worker that takes the first rule stops at the
// cancellation without ending it; the other, waiting for it, must be let
// go (workQueues.done).
func TestEvaluateStopsWithTwins(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	e := rulesEngine(t, "SA033", "SA034")
	if len(e.schedule) != 2 || !e.twins[0][1] {
		t.Fatalf("%d workers, twins %v: want two workers and two twins", len(e.schedule), e.twins)
	}
	inv := scanner.Build(nil, scanner.BuildOptions{Mode: scanner.ModeManifest})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() {
		_, err := e.Evaluate(ctx, inv, Params{}, EvalOptions{})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want %v", err, context.Canceled)
		}
	case <-time.After(time.Minute):
		t.Fatal("the evaluation did not end")
	}
}

// TestTwinStartsWhileFindingsAreMade: a rule's twin may be evaluated
// once the rule's evaluation returns, while its findings are still being
// made: the first rule's findings wait here until the second's arrive,
// which happens only if its twin is evaluated meanwhile.
func TestTwinStartsWhileFindingsAreMade(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	e := rulesEngine(t, "SA033", "SA034")
	if len(e.schedule) != 2 || !e.twins[0][1] {
		t.Fatalf("%d workers, twins %v: want two workers and two twins", len(e.schedule), e.twins)
	}
	inv := loadInventory(t, scanner.ModeManifest, "../examples/demo")
	input, err := InputValue(inv, NewModel(inv, fixtureParams), fixtureParams, InputOptions{Projection: e.proj})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	inside := 0
	both := make(chan struct{}) // closed when both rules' findings are being made
	err = e.evalRules(context.Background(), input, func(ri int, _ ast.Value) error {
		mu.Lock()
		if inside++; inside == 2 {
			close(both)
		}
		mu.Unlock()
		select {
		case <-both:
			return nil
		case <-time.After(10 * time.Second):
			return fmt.Errorf("rule %s: its twin was not evaluated while its findings were made", e.rules[ri].ID)
		}
	})
	if err != nil {
		t.Error(err)
	}
}

// TestFindingErrorsInRuleOrder: of two rules whose findings cannot be
// made, the evaluation names the first in the rules' order, also when the
// other, on the other worker, is evaluated long before it.
func TestFindingErrorsInRuleOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	made := func(body, extra string) string {
		return `findings contains f if {
	` + body + `
	f := result.finding(input.objects[0], "", "bad", ` + extra + `)
}`
	}
	const slow = "count([x | some x in numbers.range(1, 300000)]) > 0"
	for _, tc := range []struct {
		name, slow, fast, want string
	}{
		// Findings whose values cannot be made (an unknown severity, an
		// unknown confidence).
		{"values", made(slow, `{"severity": "urgent"}`), made("true", `{"confidence": "maybe"}`), "rule BAD-SLOW: "},
		// Findings that are not objects lib.result.finding built (each
		// reads the library, so the schedule gives each a worker).
		{"shapes", "findings contains \"text\" if {\n\t" + slow + "\n\tresult.list_cap > 0\n}", "findings contains 1 if result.list_cap > 0", "rule BAD-SLOW: findings must be objects"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := userRulesEngine(t, map[string]string{
				"slow.rego": userRule("BAD-SLOW", "bad_slow", "Bad findings", tc.slow),
				"fast.rego": userRule("BAD-FAST", "bad_fast", "Bad findings", tc.fast),
			}, "BAD-SLOW", "BAD-FAST")
			if len(e.schedule) != 2 || len(e.schedule[0]) != 1 || len(e.schedule[1]) != 1 {
				t.Fatalf("schedule %v: want one rule on each of two workers", e.schedule)
			}
			fs, err := e.Evaluate(context.Background(), loadInventory(t, scanner.ModeManifest, "../examples/demo"), fixtureParams, EvalOptions{})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Evaluate = %d findings, %v; want BAD-SLOW's error (%s...)", len(fs), err, tc.want)
			}
		})
	}
}

// TestEvaluateFailsWhole: a rule whose evaluation fails fails the whole
// evaluation, naming the rule, while the other workers stop; a cancelled
// context fails it too. Neither returns a partial list of findings.
func TestEvaluateFailsWhole(t *testing.T) {
	policy := `# METADATA
# title: Conflict
# description: A user rule whose complete rule has two values.
# custom:
#   id: BAD-1
#   family: custom
#   severity: low
#   remediation: none
#   modes: [manifest, cluster]
package custom.conflict

import data.sascan.lib.result

kind := o.kind if some o in input.objects

findings contains f if {
	kind
	f := result.finding(input.objects[0], "", "never", {})
}
`
	e := userPolicyEngine(t, "conflict.rego", policy)
	inv := loadInventory(t, scanner.ModeManifest, "../examples/demo")
	fs, err := e.Evaluate(context.Background(), inv, fixtureParams, EvalOptions{})
	if err == nil || !strings.Contains(err.Error(), "evaluate rule BAD-1") || !strings.Contains(err.Error(), "conflicting values") {
		t.Errorf("Evaluate = %d findings, %v; want the conflict of BAD-1", len(fs), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if fs, err := e.Evaluate(ctx, loadInventory(t, scanner.ModeManifest, "../examples/demo"), fixtureParams, EvalOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %d findings, %v; want context.Canceled", len(fs), err)
	}
}

// TestLastFindingsMadeWithoutTheInput: once the last rule is evaluated,
// its findings are made with the input already emptied (release), so that
// the collector may take the input meanwhile. One rule, one worker: no
// other worker reads the input while done looks at it.
func TestLastFindingsMadeWithoutTheInput(t *testing.T) {
	e := userRulesEngine(t, map[string]string{"seen.rego": userRule("ALL-1", "seen", "Every object", `findings contains f if {
	some o in input.objects
	f := result.finding(o, "", "seen", {})
}`)}, "ALL-1")
	inv := loadInventory(t, scanner.ModeManifest, "../examples/demo")
	input, err := InputValue(inv, NewModel(inv, fixtureParams), fixtureParams, InputOptions{Projection: e.proj})
	if err != nil {
		t.Fatal(err)
	}
	objects := ast.StringTerm("objects")
	calls := 0
	err = e.evalRules(context.Background(), input, func(_ int, x ast.Value) error {
		calls++
		fs, err := decodeFindings(x)
		if err != nil {
			return err
		}
		if len(fs) != len(inv.Objects) {
			t.Errorf("%d findings, want one per object (%d)", len(fs), len(inv.Objects))
		}
		if v := input.(ast.Object).Get(objects); v == nil || v.Value.Compare(ast.Null{}) != 0 {
			t.Errorf("input.objects is still there while the last findings are made, want it released (null)")
		}
		return nil
	})
	if err != nil || calls != 1 {
		t.Fatalf("evalRules: %v, %d calls of done; want one", err, calls)
	}
}

// TestKeywordPackage: a user rule whose package has a keyword as a
// segment (OPA spells it custom["every"]) is evaluated like any other.
func TestKeywordPackage(t *testing.T) {
	e := userPolicyEngine(t, "every.rego", userRule("KW-1", "every", "Every ServiceAccount", `findings contains f if {
	some o in input.objects
	o.kind == "ServiceAccount"
	f := result.finding(o, "", "seen", {})
}`))
	inv := loadInventory(t, scanner.ModeManifest, "../examples/demo")
	fs, err := e.Evaluate(context.Background(), inv, fixtureParams, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		if f.RuleID == "KW-1" {
			got = append(got, f.Object.Namespace+"/"+f.Object.Name)
		}
	}
	slices.Sort(got)
	want := []string{"ci/ci-deployer", "ci/default", "kube-system/default", "shop/catalog", "shop/default"}
	if !slices.Equal(got, want) {
		t.Errorf("KW-1 findings on %v, want %v", got, want)
	}
}

// TestSharedDocsHandOver: the documents more than one rule reads (and
// only those: not functions, not a rule's own helpers) pass from the
// worker that computed them to another as the same term, and a rule
// evaluated with the documents it was given finds what it finds alone.
func TestSharedDocsHandOver(t *testing.T) {
	e, enabled := builtinEngine(t)
	refs := sharedDocuments(dependencies(e.compiler, enabled))
	names := map[string]bool{}
	for _, r := range refs {
		names[r.String()] = true
	}
	for name, want := range map[string]bool{
		"data.sascan.lib.rbac.binding_capabilities":           true,
		"data.sascan.lib.k8s.service_accounts":                true,
		"data.sascan.lib.rbac.sa_top_tier":                    false, // a function
		"data.sascan.rules.rbac.dangerous_permissions.active": false, // SA013's own
	} {
		if names[name] != want {
			t.Errorf("shared %s: %v, want %v", name, names[name], want)
		}
	}
	index := map[string]int{}
	for i, r := range enabled {
		index[r.ID] = i
	}
	inv := loadInventory(t, scanner.ModeManifest, "../examples/demo")
	input, err := InputValue(inv, NewModel(inv, fixtureParams), fixtureParams, InputOptions{Projection: e.proj})
	if err != nil {
		t.Fatal(err)
	}
	eval := func(i int, cache topdown.VirtualCache) []any {
		rs, err := e.queries[i].Eval(context.Background(), rego.EvalParsedInput(input), rego.EvalVirtualCache(cache))
		if err != nil || len(rs) != 1 {
			t.Fatalf("evaluate %s: %v, %d results", enabled[i].ID, err, len(rs))
		}
		fs, _ := rs[0].Bindings["x"].([]any)
		return fs
	}
	docs := newSharedDocs(refs)
	a, b := topdown.NewVirtualCache(), topdown.NewVirtualCache()
	tookA, tookB := make([]bool, len(refs)), make([]bool, len(refs))
	if len(eval(index["SA013"], a)) == 0 {
		t.Fatal("SA013 finds nothing in the demo")
	}
	docs.give(a, tookA)
	for i := range enabled { // worker a goes on with every rule
		eval(i, a)
		docs.give(a, tookA)
	}
	docs.take(b, tookB)
	caps := ast.MustParseRef("data.sascan.lib.rbac.binding_capabilities")
	va, _ := a.Get(caps)
	vb, _ := b.Get(caps)
	if va == nil || va != vb {
		t.Fatalf("binding_capabilities: computed %v, handed over %v", va, vb)
	}
	undefined := 0
	for i, ref := range refs {
		if docs.undefined[i] {
			undefined++
			if v, u := b.Get(ref); v != nil || !u {
				t.Errorf("%s: undefined where computed, %v, %v where handed over", ref, v, u)
			}
		}
	}
	if undefined == 0 {
		t.Error("no undefined document was handed over: the demo should have one")
	}
	// Every rule, evaluated with what the other worker handed over, finds
	// what it finds alone.
	for i, r := range enabled {
		got, want := eval(i, b), eval(i, topdown.NewVirtualCache())
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s with documents handed over (-alone +handed over):\n%s", r.ID, diff)
		}
	}
}

// TestEvaluateSharesNoFinding: an evaluation whose workers hand documents
// to one another finds exactly what one without handing over finds.
func TestEvaluateSharesNoFinding(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	e, _ := builtinEngine(t)
	if len(e.shared) == 0 || len(e.schedule) != 4 {
		t.Fatalf("%d shared documents, %d workers", len(e.shared), len(e.schedule))
	}
	alone := *e
	alone.shared = nil
	for _, dir := range []string{"../examples/demo", "../testdata/rules/SA013", "../testdata/rules/SA033", "../testdata/rules/SA019"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want, err := alone.Evaluate(context.Background(), loadInventory(t, scanner.ModeManifest, dir), fixtureParams, EvalOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Evaluate(context.Background(), loadInventory(t, scanner.ModeManifest, dir), fixtureParams, EvalOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatal("no findings")
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Finding{})); diff != "" {
				t.Errorf("findings (-alone +shared):\n%s", diff)
			}
		})
	}
}

// TestEvalRulesLetsGoOfTheInput: once the rules are evaluated, one
// collection frees the input's objects, pod specs and indexes, although
// OPA's pools keep evaluation state that refers to the input and to the
// workers' caches until the second. The state that holds a rule's
// bindings keeps some objects for that second collection, and at times
// the access model (input.access, not checked).
func TestEvalRulesLetsGoOfTheInput(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	e, _ := builtinEngine(t)
	inv := loadInventory(t, scanner.ModeManifest, "../examples/demo")
	input, err := InputValue(inv, NewModel(inv, fixtureParams), fixtureParams, InputOptions{Projection: e.proj})
	if err != nil {
		t.Fatal(err)
	}
	containers := map[string]weak.Pointer[ast.Term]{}
	for _, k := range []string{"objects", "kinds", "index", "podSpecs"} {
		containers[k] = weak.Make(input.(ast.Object).Get(ast.StringTerm(k)))
	}
	var objects []weak.Pointer[ast.Term]
	all := input.(ast.Object).Get(ast.StringTerm("objects")).Value.(*ast.Array)
	for i := range all.Len() {
		objects = append(objects, weak.Make(all.Elem(i)))
	}
	all = nil
	var found atomic.Int64
	err = e.evalRules(context.Background(), input, func(_ int, x ast.Value) error {
		fs, err := decodeFindings(x)
		if err != nil {
			return err
		}
		found.Add(int64(len(fs)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found.Load() == 0 {
		t.Fatal("no findings in the demo")
	}
	input = nil
	runtime.GC()
	for k, p := range containers {
		if p.Value() != nil {
			t.Errorf("input.%s alive after a collection", k)
		}
	}
	alive := 0
	for _, p := range objects {
		if p.Value() != nil {
			alive++
		}
	}
	// Held, the input keeps every object; the pooled bindings keep up to
	// a seventh of the demo's under a loaded CPU (12 of 86), when the
	// evaluation's goroutines were spread over more pools.
	if alive >= len(objects)/2 {
		t.Errorf("%d of the input's %d objects alive after a collection, want fewer than half", alive, len(objects))
	}
}

// TestEvaluateRejectsMalformedFindings: a rule whose findings are not
// built by lib.result.finding fails the evaluation, naming the rule.
func TestEvaluateRejectsMalformedFindings(t *testing.T) {
	policy := `# METADATA
# title: Strings
# description: A user rule whose findings are strings.
# custom:
#   id: BAD-2
#   family: custom
#   severity: low
#   remediation: none
#   modes: [manifest, cluster]
package custom.strings

findings contains "not a finding" if true
`
	e := userPolicyEngine(t, "strings.rego", policy)
	fs, err := e.Evaluate(context.Background(), loadInventory(t, scanner.ModeManifest, "../examples/demo"), fixtureParams, EvalOptions{})
	if err == nil || !strings.Contains(err.Error(), "rule BAD-2: findings must be objects built by lib.result.finding") {
		t.Errorf("Evaluate = %d findings, %v; want BAD-2's findings rejected", len(fs), err)
	}
}

// TestWorkerCacheForgetsCalls: a worker's cache keeps the documents a rule
// computed for the next rule and forgets the function results; the rule
// evaluated again with it finds the same.
func TestWorkerCacheForgetsCalls(t *testing.T) {
	e, enabled := builtinEngine(t)
	var sa013 int
	for i, r := range enabled {
		if r.ID == "SA013" {
			sa013 = i
		}
	}
	inv := loadInventory(t, scanner.ModeManifest, "../examples/demo")
	input, err := InputValue(inv, NewModel(inv, fixtureParams), fixtureParams, InputOptions{Projection: e.proj})
	if err != nil {
		t.Fatal(err)
	}
	c := newWorkerCache()
	eval := func() []any {
		rs, err := e.queries[sa013].Eval(context.Background(), rego.EvalParsedInput(input), rego.EvalVirtualCache(c))
		if err != nil || len(rs) != 1 {
			t.Fatalf("evaluate SA013: %v, %d results", err, len(rs))
		}
		fs, _ := rs[0].Bindings["x"].([]any)
		return fs
	}
	first := eval()
	calls := c.calls.Keys()
	if len(calls) == 0 {
		t.Fatal("no function result was cached")
	}
	for _, k := range calls {
		if _, ok := k[0].Value.(ast.Ref); !ok {
			t.Errorf("%v with the function results", k)
		}
	}
	caps := ast.MustParseRef("data.sascan.lib.rbac.binding_capabilities")
	c.nextRule()
	if n := len(c.calls.Keys()); n != 0 {
		t.Errorf("%d function results kept for the next rule", n)
	}
	if v, _ := c.Get(caps); v == nil {
		t.Error("binding_capabilities forgotten")
	}
	if diff := cmp.Diff(first, eval()); diff != "" {
		t.Errorf("SA013 again (-first +again):\n%s", diff)
	}
}

// builtinEngine is the engine of the built-in catalogue's manifest rules,
// and those rules.
func builtinEngine(t *testing.T) (*Engine, []*Rule) {
	t.Helper()
	_, e := manifestEngine(t)
	return e, e.rules
}

// userPolicyEngine is the engine of the built-in rules and one user policy
// (a file of that name in a directory of its own).
// userRule is the text of a user policy: rule id in package custom.pkg,
// titled title, whose findings are the Rego findings (lib/result is
// imported as result).
func userRule(id, pkg, title, findings string) string {
	return `# METADATA
# title: ` + title + `
# description: A user rule of the tests.
# custom:
#   id: ` + id + `
#   family: custom
#   severity: low
#   remediation: none
#   modes: [manifest, cluster]
package custom.` + pkg + `

import data.sascan.lib.result

` + findings + "\n"
}

// userRulesEngine writes the user policies (file name: text) and returns
// an engine of the rules ids alone.
func userRulesEngine(t *testing.T, policies map[string]string, ids ...string) *Engine {
	t.Helper()
	dir := t.TempDir()
	for name, text := range policies {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return loadEngine(t, LoadOptions{PolicyDirs: []string{dir}}, ids...)
}

func userPolicyEngine(t *testing.T, name, policy string) *Engine {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, err := Load(LoadOptions{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	enabled, err := Select(cat, ModeManifest, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(context.Background(), cat, enabled)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
