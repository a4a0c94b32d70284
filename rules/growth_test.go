package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/sascan/sascan/internal/gen"
	"github.com/sascan/sascan/ledger"
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
// another size draws differently (SA016 draws 7x the findings from mix at
// 4x the objects, and its work grows 4.95x). Work per object of a namespace or per
// binding of a subject (quadratic) grows about growthScale² times. A rule
// that evaluates fewer than smallWork expressions at the larger size is
// not judged: its fixed cost (the bundled roles, one finding more or less)
// outweighs what it does per object.
const (
	growthScale  = 4
	growthFactor = 6.0
	smallWork    = 10000
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
				if base[i] == 0 {
					t.Fatalf("%s: no expression counted", id)
				}
				g := float64(grown[i]) / float64(base[i])
				if g > worst {
					worst, at = g, id
				}
				if grown[i] > smallWork && g > growthFactor {
					t.Errorf("%s: %d expressions at %d objects, %d at %d: %.1fx for %dx the input", id, base[i], small, grown[i], small*growthScale, g, growthScale)
				}
			}
			t.Logf("most growth: %s, %.2fx", at, worst)
		})
	}
}

// ruleWork is the number of expressions each rule of e evaluates on a dump
// of profile p with n objects and an audit log of its pods (auditOf), each
// rule on its own (no documents cached from another rule), and last those
// of sascan access's query.
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
	params := fixtureParams
	params.Audit = auditOf(t, inv)
	input, err := InputValue(inv, NewModel(inv, params), params, InputOptions{Projection: e.proj})
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
	work[len(e.rules)] = queryWork(t, e, accessQuery, input)
	return work
}

// auditOf is an audit log of the pods of inv: each pod's account used a
// token bound to an earlier pod of the pod's name, before and after a
// later pod of that name used its own (the audit rules' claims by pod),
// and read a ConfigMap of its namespace (the grants it used).
func auditOf(t *testing.T, inv *scanner.Inventory) *ledger.Ledger {
	t.Helper()
	file := filepath.Join(t.TempDir(), "audit.jsonl")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for i, o := range inv.Objects {
		if o.Kind != "Pod" || o.Namespace == "" {
			continue
		}
		spec, _ := o.Raw["spec"].(map[string]any)
		sa, _ := spec["serviceAccountName"].(string)
		if sa == "" {
			sa = "default"
		}
		for _, use := range []struct{ hour, uid string }{{"05", "old"}, {"06", "new"}, {"07", "old"}} {
			err := enc.Encode(map[string]any{
				"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "stage": "ResponseComplete",
				"auditID": fmt.Sprintf("e-%d-%s", i, use.hour), "verb": "get",
				"requestURI": fmt.Sprintf("/api/v1/namespaces/%s/configmaps/x", o.Namespace),
				"user": map[string]any{"username": fmt.Sprintf("system:serviceaccount:%s:%s", o.Namespace, sa), "extra": map[string]any{
					"authentication.kubernetes.io/credential-id": []string{fmt.Sprintf("JTI=%d-%s", i, use.uid)},
					"authentication.kubernetes.io/pod-name":      []string{o.Name},
					"authentication.kubernetes.io/pod-uid":       []string{fmt.Sprintf("%s-%d", use.uid, i)},
				}},
				"objectRef":                map[string]any{"resource": "configmaps", "namespace": o.Namespace, "name": "x", "apiVersion": "v1"},
				"sourceIPs":                []string{"10.0.0.1"},
				"userAgent":                "app/1",
				"responseStatus":           map[string]any{"code": 200},
				"requestReceivedTimestamp": fmt.Sprintf("2026-06-30T%s:00:00Z", use.hour),
				"annotations":              map[string]any{"authorization.k8s.io/decision": "allow"},
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Read(context.Background(), []string{file}, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// queryWork is the number of expressions query evaluates over input.
func queryWork(t *testing.T, e *Engine, query string, input ast.Value) int {
	t.Helper()
	c := &exprCounter{}
	if _, err := rego.New(rego.Query(query), rego.Compiler(e.compiler), rego.ParsedInput(input), withBuiltins, rego.QueryTracer(c)).Eval(context.Background()); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return c.n
}

// The measure sees quadratic work: a query over every pair of pod specs
// of one namespace grows by about growthScale² on the dense profile.
func TestWorkCountSeesQuadraticGrowth(t *testing.T) {
	_, e := manifestEngine(t)
	const pairs = `count([1 | some a in input.podSpecs; some b in input.podSpecs; a.obj.namespace == b.obj.namespace])`
	var work [2]int
	for i, n := range []int{500, 500 * growthScale} {
		file := filepath.Join(t.TempDir(), "dense.yaml")
		f, err := os.Create(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := gen.WriteProfile(f, gen.ProfileDense, n, 3); err != nil {
			t.Fatal(err)
		}
		f.Close()
		inv := loadInventory(t, scanner.ModeManifest, file)
		input, err := InputValue(inv, NewModel(inv, fixtureParams), fixtureParams, InputOptions{Projection: e.proj})
		if err != nil {
			t.Fatal(err)
		}
		work[i] = queryWork(t, e, pairs, input)
	}
	if g := float64(work[1]) / float64(max(work[0], 1)); g <= growthFactor {
		t.Errorf("pairs of pod specs: %d expressions, then %d: %.1fx, want more than %.0fx", work[0], work[1], g, growthFactor)
	}
}
