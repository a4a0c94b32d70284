package rules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/sascan/sascan/internal/gen"
	"github.com/sascan/sascan/scanner"
)

// exprCounter counts the Rego expressions an evaluation evaluates: a
// measure of its work that, unlike time, is the same on every run and
// machine.
type exprCounter struct{ n int }

func (c *exprCounter) Enabled() bool { return true }

func (c *exprCounter) TraceEvent(e topdown.Event) {
	if e.Op == topdown.EvalOp {
		c.n++
	}
}

func (c *exprCounter) Config() topdown.TraceConfig { return topdown.TraceConfig{} }

// growthFactor is the most a rule's work may grow when the input grows
// growthScale times: linear growth plus a margin for what a dump of
// another size draws differently. Work per object of a namespace or per
// binding of a subject (quadratic) grows about growthScale² times.
const (
	growthScale  = 4
	growthFactor = 5.0
)

// TestRuleWorkGrowsLinearly evaluates every built-in rule, and what
// sascan access reads, on dumps of every generator profile at two sizes
// and counts the expressions each evaluates: a rule whose work grows faster than the input is a way for
// one pull request to stall a CI runner (the dense profile puts every
// object in one namespace, where work per object of a namespace is
// quadratic).
func TestRuleWorkGrowsLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("evaluates every rule on eight dumps")
	}
	_, e := manifestEngine(t)
	const small = 1500
	for _, p := range gen.Profiles {
		t.Run(string(p), func(t *testing.T) {
			base := ruleWork(t, e, p, small)
			grown := ruleWork(t, e, p, small*growthScale)
			worst, at := 0.0, ""
			for i := range base {
				id := "sascan access"
				if i < len(e.rules) {
					id = e.rules[i].ID
				}
				if g := float64(grown[i]) / float64(max(base[i], 1)); g > worst {
					worst, at = g, id
				}
				if grown[i] > 10000 && float64(grown[i]) > growthFactor*float64(max(base[i], 1)) {
					t.Errorf("%s: %d expressions at %d objects, %d at %d: %.1fx for %dx the input", id, base[i], small, grown[i], small*growthScale, float64(grown[i])/float64(base[i]), growthScale)
				}
			}
			t.Logf("most growth: %s, %.2fx", at, worst)
		})
	}
}

// ruleWork is the number of expressions each rule of e evaluates on a dump
// of profile p with n objects, each rule on its own (no documents cached
// from another rule), and last those of sascan access's query.
func ruleWork(t *testing.T, e *Engine, p gen.Profile, n int) []int {
	t.Helper()
	file := filepath.Join(t.TempDir(), fmt.Sprintf("%s-%d.yaml", p, n))
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := gen.WriteProfile(f, p, n, 3); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	inv := loadInventory(t, scanner.ModeManifest, file)
	input, err := InputValue(inv, NewModel(inv, fixtureParams), fixtureParams, InputOptions{Projection: e.proj})
	if err != nil {
		t.Fatal(err)
	}
	work := make([]int, len(e.rules)+1)
	for i, r := range e.rules {
		c := &exprCounter{}
		if _, err := e.queries[i].Eval(context.Background(), rego.EvalParsedInput(input), rego.EvalQueryTracer(c)); err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		work[i] = c.n
	}
	// Last, what sascan access reads (accessQuery).
	c := &exprCounter{}
	if _, err := rego.New(rego.Query(accessQuery), rego.Compiler(e.compiler), rego.ParsedInput(input), withBuiltins, rego.QueryTracer(c)).Eval(context.Background()); err != nil {
		t.Fatalf("access: %v", err)
	}
	work[len(e.rules)] = c.n
	return work
}
