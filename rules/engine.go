package rules

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"golang.org/x/sync/errgroup"

	"github.com/sascan/sascan/access"
	"github.com/sascan/sascan/scanner"
)

// Engine evaluates a set of rules: one prepared query per rule, run by
// one worker per CPU over one input, in the order schedule gives.
type Engine struct {
	rules    []*Rule
	queries  []rego.PreparedEvalQuery // queries[i] yields the findings of rules[i] as x
	schedule [][]int                  // rule indexes per worker
	twins    [][]bool                 // rules that compute nearly the same documents (twins)
	shared   []ast.Ref                // documents more than one rule reads (sharedDocuments)
	compiler *ast.Compiler
	proj     *Projection
	unshared bool // InputOptions.Unshared (tests)
}

// NewEngine compiles the catalogue's modules once and prepares a query per
// enabled rule. OPA evaluates one query on one core; the rules are
// evaluated by as many workers as there are CPUs, each keeping the library
// documents it computed for the next rule it evaluates and handing those
// other rules read to the other workers (schedule.go).
func NewEngine(ctx context.Context, cat *Catalogue, enabled []*Rule) (*Engine, error) {
	compiler := newCompiler()
	compiler.Compile(cat.modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, compiler.Errors)
	}
	n := min(runtime.GOMAXPROCS(0), max(len(enabled), 1))
	deps := dependencies(compiler, enabled)
	e := &Engine{
		rules:    enabled,
		queries:  make([]rego.PreparedEvalQuery, len(enabled)),
		schedule: schedule(deps, n),
		compiler: compiler,
		proj:     cat.Projection(),
	}
	for i, r := range enabled {
		pq, err := rego.New(rego.Query("x = "+r.ref()+".findings"), rego.Compiler(compiler), withBuiltins).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: prepare query: %w", ErrPolicy, err)
		}
		e.queries[i] = pq
	}
	if n > 1 {
		e.shared = sharedDocuments(deps)
		e.twins = twins(libraryDependencies(compiler, enabled))
	}
	return e, nil
}

// evalRules evaluates every rule over input, on the workers of the
// schedule, and hands each rule's result (its findings as OPA's terms) to
// done, on the worker that evaluated the rule (so done runs on every
// worker at once). The input is emptied once every rule is evaluated
// (release): nothing reads it after.
func (e *Engine) evalRules(ctx context.Context, input ast.Value, done func(ri int, x ast.Value) error) error {
	defer release(input) // also when a rule failed
	queue := newWorkQueues(e.schedule, e.twins)
	docs := newSharedDocs(e.shared)
	var evaluated atomic.Int64
	evalCtx, stop := context.WithCancel(ctx) // one failed rule stops the others
	defer stop()
	return parallel(len(e.schedule), func(w int) error {
		cache := newWorkerCache() // its documents kept from one rule to the next
		defer cache.forget()      // OPA's pools still refer to it (release)
		took := make([]bool, len(e.shared))
		defer queue.ended(w) // a worker waiting for this one's rule goes on
		for {
			ri, ok := queue.next(w)
			if !ok {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if evalCtx.Err() != nil {
				return nil // another rule failed, and says so
			}
			cache.nextRule()
			docs.take(cache, took)
			rs, err := e.queries[ri].Eval(evalCtx, rego.EvalParsedInput(input), rego.EvalVirtualCache(cache), asTerm)
			if err != nil {
				if ctx.Err() == nil && evalCtx.Err() != nil {
					return nil // stopped by another rule's failure
				}
				stop()
				return fmt.Errorf("evaluate rule %s: %w", e.rules[ri].ID, err)
			}
			if len(rs) == 0 {
				stop()
				return fmt.Errorf("evaluate rule %s: the query has no result", e.rules[ri].ID)
			}
			x, ok := rs[0].Bindings["x"].(ast.Value)
			if !ok {
				stop()
				return fmt.Errorf("evaluate rule %s: the query has no findings", e.rules[ri].ID)
			}
			// The rule's documents are computed: the other workers may
			// have them, and its twin may start, while its findings are
			// made.
			docs.give(cache, took)
			queue.ended(w)
			if evaluated.Add(1) == int64(len(e.rules)) {
				// Every rule is evaluated: nothing reads the input or
				// the documents while the last findings are made.
				release(input)
				docs.forget()
				cache.forget()
			}
			if err := done(ri, x); err != nil {
				stop()
				return err
			}
		}
	})
}

// release empties the input once the rules are evaluated. OPA keeps
// evaluation state in sync.Pools after a query returns, the input and the
// virtual cache among it, and a pooled value goes only at the second
// collection after its last use: the 100k paths profile's findings were
// built with its input still live, a collection of a 1 GB heap taking
// 1.4-1.5 s of them. With the input and the workers' caches (forget)
// emptied, all but a few of the input's objects go at the first
// collection (the pooled bindings of the last expressions hold those).
func release(input ast.Value) {
	obj, ok := input.(ast.Object)
	if !ok {
		return
	}
	for _, k := range obj.Keys() {
		obj.Insert(k, ast.NullTerm())
	}
}

// parallel runs fn(0) ... fn(n-1) at once and returns the first error.
func parallel(n int, fn func(i int) error) error {
	var g errgroup.Group
	for i := range n {
		g.Go(func() error { return fn(i) })
	}
	return g.Wait()
}

func (r *Rule) ref() string {
	return r.refTerms().String()
}

// refTerms is the rule's package as a ref under data. Package is OPA's
// own text of the path, which spells a segment that is a keyword
// (package custom.every) as ["every"]: it is parsed, not split at dots.
func (r *Rule) refTerms() ast.Ref {
	return ast.MustParseRef("data." + r.Package)
}

// EvalOptions tune one evaluation.
type EvalOptions struct {
	Cluster string // live scans: the context name findings point at
	// ReleaseRaw drops the inventory's raw objects once the input is built
	// (large scans); the inventory keeps identities, sources and annotations.
	ReleaseRaw bool
	// Model is the inventory's access model; nil builds it (NewModel).
	Model *access.Model
}

// NewModel builds the access model of inv. The baseline and the bootstrap
// bindings' groups come from the bundled bootstrap policy of the scanned
// version (--kube-version, or the live cluster's) in both modes.
// For manifests aggregated ClusterRoles are computed; a live cluster's are
// read as stored, since the controller keeps them current and the API
// server authorizes with them.
func NewModel(inv *scanner.Inventory, p Params) *access.Model {
	s := p.Settings
	return access.Build(inv, access.Options{
		ComputeAggregation: inv.Mode != scanner.ModeCluster,
		Bootstrap:          access.NewBootstrap(scanner.BootstrapPolicy(p.KubeVersion.bootstrapMinor())),
		Tokens:             access.TokenOptions{AssumeAutomount: s.AssumeAutomountWhenSAUnknown == nil || *s.AssumeAutomountWhenSAUnknown},
	})
}

// Evaluate runs every enabled rule over the inventory and returns findings
// with locations resolved, sorted, not yet suppressed or filtered.
func (e *Engine) Evaluate(ctx context.Context, inv *scanner.Inventory, p Params, opts EvalOptions) ([]Finding, error) {
	model := opts.Model
	if model == nil {
		model = NewModel(inv, p)
	}
	input, err := InputValue(inv, model, p, InputOptions{Projection: e.proj, ReleaseRaw: opts.ReleaseRaw, Unshared: e.unshared})
	if err != nil {
		return nil, err
	}
	// Each rule's findings are decoded, folded and made on the worker that
	// evaluated it, then put together in the rules' order. A rule whose
	// findings cannot be decoded or made fails the evaluation once every
	// rule is evaluated, the first in the rules' order, whichever worker
	// was first.
	type ruleFindings struct {
		fs   []Finding
		locs []locPart
		err  error
	}
	per := make([]ruleFindings, len(e.rules))
	specPath := podSpecPaths(inv)
	err = e.evalRules(ctx, input, func(ri int, x ast.Value) error {
		raws, err := decodeFindings(x)
		if err != nil {
			per[ri].err = fmt.Errorf("rule %s: findings must be objects built by lib.result.finding: %w", e.rules[ri].ID, err)
			return nil
		}
		fs, locs, err := e.findings(e.rules[ri], fold(raws, inv, specPath), inv, opts.Cluster)
		per[ri] = ruleFindings{fs, locs, err}
		return nil
	})
	if err != nil {
		return nil, err
	}
	findings, positions := 0, 0
	for _, rf := range per {
		if rf.err != nil {
			return nil, rf.err
		}
		findings += len(rf.fs)
		for _, lp := range rf.locs {
			positions += len(lp.loc.slots)
		}
	}
	out := make([]Finding, 0, findings)
	loc := newLocations(opts.Cluster, positions)
	for _, rf := range per {
		for _, lp := range rf.locs {
			loc.append(lp.loc, len(out)+lp.first)
		}
		out = append(out, rf.fs...)
	}
	loc.resolve(out)
	SortFindings(out)
	return out, nil
}
