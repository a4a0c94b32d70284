package rules

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"golang.org/x/sync/errgroup"

	"github.com/sascan/sascan/access"
	"github.com/sascan/sascan/scanner"
)

// Engine evaluates a set of rules: one prepared query per CPU, each over a
// share of the rules (partitions), over one input.
type Engine struct {
	rules    []*Rule
	parts    []partition
	compiler *ast.Compiler
	proj     *Projection
	unshared bool // InputOptions.Unshared (tests)
}

// partition is one prepared query over a share of the enabled rules.
type partition struct {
	rules []int // indexes into Engine.rules
	query rego.PreparedEvalQuery
}

// NewEngine compiles the catalogue's modules once and prepares the query
// that yields the findings of every enabled rule. The rules are split over
// as many queries as there are CPUs, evaluated concurrently over the same
// input: OPA evaluates one query on one core, and the shared library work
// each query repeats costs less than the second core gives (make bench).
func NewEngine(ctx context.Context, cat *Catalogue, enabled []*Rule) (*Engine, error) {
	compiler := newCompiler()
	compiler.Compile(cat.modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, compiler.Errors)
	}
	n := min(runtime.GOMAXPROCS(0), max(len(enabled), 1))
	e := &Engine{rules: enabled, parts: make([]partition, n), compiler: compiler, proj: cat.Projection()}
	for i := range enabled {
		p := &e.parts[i%n]
		p.rules = append(p.rules, i)
	}
	for i := range e.parts {
		p := &e.parts[i]
		parts := []string{"true"}
		for _, ri := range p.rules {
			parts = append(parts, fmt.Sprintf("r%d = %s.findings", ri, enabled[ri].ref()))
		}
		pq, err := rego.New(rego.Query(strings.Join(parts, "; ")), rego.Compiler(compiler), withBuiltins).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: prepare query: %w", ErrPolicy, err)
		}
		p.query = pq
	}
	return e, nil
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

// refTerms is the rule's package as a ref under data.
func (r *Rule) refTerms() ast.Ref {
	ref := ast.Ref{ast.DefaultRootDocument}
	for _, p := range strings.Split(r.Package, ".") {
		ref = append(ref, ast.StringTerm(p))
	}
	return ref
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
	cluster := opts.Cluster
	bindings := make([]any, len(e.rules))
	err = parallel(len(e.parts), func(pi int) error {
		p := &e.parts[pi]
		rs, err := p.query.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil {
			return fmt.Errorf("evaluate rules: %w", err)
		}
		if len(rs) == 0 {
			return fmt.Errorf("evaluate rules: the query has no result")
		}
		for _, ri := range p.rules {
			bindings[ri] = rs[0].Bindings[fmt.Sprintf("r%d", ri)]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Finding
	loc := &locations{cluster: cluster}
	specPath := podSpecPaths(inv)
	for i, r := range e.rules {
		fs, err := decodeFindings(bindings[i])
		bindings[i] = nil // decoded: let the collector have it
		if err != nil {
			return nil, fmt.Errorf("rule %s: findings must be objects built by lib.result.finding: %w", r.ID, err)
		}
		for _, f := range fold(fs, inv, specPath) {
			fd, err := e.finding(r, f, inv, loc, len(out))
			if err != nil {
				return nil, err
			}
			out = append(out, fd)
		}
	}
	loc.resolve(out)
	SortFindings(out)
	return out, nil
}
