package rules

import (
	"container/heap"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

// The builtins sascan adds to Rego: algorithms, not meanings. What the
// nodes and edges of a graph stand for, and which nodes are sinks, the
// policies decide; a builtin only searches.

// shortestPathsDecl is
//
//	sascan.graph.shortest_paths(graph, sources, sinks, limits)
//
// graph maps each node to its successors (an array or set of strings);
// an array of such objects is their union. sources is a set or array of
// nodes and sinks an object of named sink sets. limits is
// {"cost_prefix": p, "max_cost": n, "min_cost": m}: entering a node whose
// name starts with p costs one, any other step nothing. The result maps
// each sink name to an object with, for every source from which one of its
// sinks is reachable at a cost of at most max_cost, the cheapest such path
// [source, ..., sink]: fewest costly nodes, then fewest edges, then the
// lexicographically smallest nodes step by step; a cheapest path that costs
// less than min_cost (optional, 0) is left out, so the result does not
// depend on the order of the input. One search per sink name over the
// reversed graph, whatever the number of sources.
var shortestPathsDecl = &rego.Function{
	Name: "sascan.graph.shortest_paths",
	Decl: types.NewFunction(
		types.Args(
			types.Named("graph", types.NewAny(adjacency, types.NewArray(nil, adjacency))).Description("successors of each node, or an array of such objects"),
			types.Named("sources", types.NewAny(types.NewArray(nil, types.S), types.NewSet(types.S))).Description("the nodes paths start from"),
			types.Named("sinks", types.NewObject(nil, types.NewDynamicProperty(types.S, types.NewAny(types.NewArray(nil, types.S), types.NewSet(types.S))))).Description("named sets of nodes paths end at"),
			types.Named("limits", types.NewObject([]*types.StaticProperty{types.NewStaticProperty("cost_prefix", types.S), types.NewStaticProperty("max_cost", types.N)}, types.NewDynamicProperty(types.S, types.N))).Description("which nodes cost one to enter, and the most a path may cost"),
		),
		types.Named("paths", types.NewObject(nil, types.NewDynamicProperty(types.S, types.A))).Description("per sink name, source to path"),
	),
	Description: "Cheapest paths from each source to the nearest node of each named sink set.",
}

var adjacency = types.NewObject(nil, types.NewDynamicProperty(types.S, types.NewAny(types.NewArray(nil, types.S), types.NewSet(types.S))))

// Builtins are the declarations of sascan's own Rego builtins, for
// compilers and capabilities files (opa check --capabilities).
func Builtins() []*ast.Builtin {
	return []*ast.Builtin{{Name: shortestPathsDecl.Name, Decl: shortestPathsDecl.Decl, Description: shortestPathsDecl.Description}}
}

// withBuiltins gives one query sascan's builtins.
func withBuiltins(r *rego.Rego) {
	rego.Function4(shortestPathsDecl, shortestPaths)(r)
}

// newCompiler is a compiler that knows sascan's builtins.
func newCompiler() *ast.Compiler {
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = append(caps.Builtins, Builtins()...)
	return ast.NewCompiler().WithCapabilities(caps).WithEnablePrintStatements(false)
}

func shortestPaths(_ rego.BuiltinContext, graphT, sourcesT, sinksT, limitsT *ast.Term) (*ast.Term, error) {
	var graphs []ast.Object
	switch v := graphT.Value.(type) {
	case ast.Object:
		graphs = append(graphs, v)
	case *ast.Array:
		for i := range v.Len() {
			g, ok := v.Elem(i).Value.(ast.Object)
			if !ok {
				return nil, fmt.Errorf("%s: graph must be an object or an array of objects", shortestPathsDecl.Name)
			}
			graphs = append(graphs, g)
		}
	default:
		return nil, fmt.Errorf("%s: graph must be an object or an array of objects", shortestPathsDecl.Name)
	}
	limits, ok := limitsT.Value.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("%s: limits must be an object", shortestPathsDecl.Name)
	}
	prefix, ok := valueOf(limits.Get(ast.StringTerm("cost_prefix"))).(ast.String)
	if !ok {
		return nil, fmt.Errorf("%s: limits.cost_prefix must be a string", shortestPathsDecl.Name)
	}
	max, _ := valueOf(limits.Get(ast.StringTerm("max_cost"))).(ast.Number)
	limit, ok := max.Int()
	if !ok || limit < 0 {
		return nil, fmt.Errorf("%s: limits.max_cost must be a whole number >= 0", shortestPathsDecl.Name)
	}
	least := 0
	if t := limits.Get(ast.StringTerm("min_cost")); t != nil {
		n, _ := t.Value.(ast.Number)
		if least, ok = n.Int(); !ok || least < 0 {
			return nil, fmt.Errorf("%s: limits.min_cost must be a whole number >= 0", shortestPathsDecl.Name)
		}
	}
	sinkSets, ok := sinksT.Value.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("%s: sinks must be an object", shortestPathsDecl.Name)
	}
	gr := newGraph()
	var err error
	for _, g := range graphs {
		g.Foreach(func(k, v *ast.Term) {
			if err != nil {
				return
			}
			from, ok := k.Value.(ast.String)
			if !ok {
				err = fmt.Errorf("%s: graph keys must be strings", shortestPathsDecl.Name)
				return
			}
			f := gr.id(string(from))
			err = eachString(v, func(to string) { gr.edge(f, gr.id(to)) })
		})
		if err != nil {
			return nil, err
		}
	}
	var sources []int
	if err := eachString(sourcesT, func(s string) { sources = append(sources, gr.id(s)) }); err != nil {
		return nil, err
	}
	gr.sortSuccessors()
	gr.costly(string(prefix))
	out := ast.NewObject()
	sinkSets.Foreach(func(name, set *ast.Term) {
		if err != nil {
			return
		}
		var sinks []int
		if err = eachString(set, func(s string) { sinks = append(sinks, gr.id(s)) }); err != nil {
			return
		}
		paths := ast.NewObject()
		dist := gr.distances(sinks, limit)
		for _, s := range sources {
			if dist[s].cost < least {
				continue
			}
			if p := gr.path(s, dist); p != nil {
				paths.Insert(ast.StringTerm(gr.names[s]), p)
			}
		}
		out.Insert(name, ast.NewTerm(paths))
	})
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(out), nil
}

// eachString calls fn with each string of an array or set term.
func eachString(t *ast.Term, fn func(string)) error {
	var bad bool
	visit := func(e *ast.Term) {
		if s, ok := e.Value.(ast.String); ok {
			fn(string(s))
		} else {
			bad = true
		}
	}
	switch v := t.Value.(type) {
	case *ast.Array:
		v.Foreach(visit)
	case ast.Set:
		v.Foreach(visit)
	default:
		return fmt.Errorf("%s: expected an array or set of strings, got %s", shortestPathsDecl.Name, ast.ValueName(t.Value))
	}
	if bad {
		return fmt.Errorf("%s: nodes must be strings", shortestPathsDecl.Name)
	}
	return nil
}

// graph is a directed graph over interned node names.
type graph struct {
	ids   map[string]int
	names []string
	succ  [][]int
	pred  [][]int
	cost  []bool // entering the node costs one
}

func newGraph() *graph { return &graph{ids: map[string]int{}} }

func (g *graph) id(name string) int {
	if i, ok := g.ids[name]; ok {
		return i
	}
	i := len(g.names)
	g.ids[name] = i
	g.names = append(g.names, name)
	g.succ = append(g.succ, nil)
	g.pred = append(g.pred, nil)
	return i
}

func (g *graph) edge(from, to int) {
	g.succ[from] = append(g.succ[from], to)
	g.pred[to] = append(g.pred[to], from)
}

// sortSuccessors orders each node's successors by name, so that a walk
// that takes the first suitable successor is deterministic.
func (g *graph) sortSuccessors() {
	for _, s := range g.succ {
		sort.Slice(s, func(i, j int) bool { return g.names[s[i]] < g.names[s[j]] })
	}
}

func (g *graph) costly(prefix string) {
	g.cost = make([]bool, len(g.names))
	for i, n := range g.names {
		g.cost[i] = prefix != "" && strings.HasPrefix(n, prefix)
	}
}

// dist is how far a node is from the nearest sink: costly nodes entered,
// then edges. Unreached nodes have cost -1.
type dist struct{ cost, edges int }

func (d dist) less(e dist) bool { return d.cost < e.cost || d.cost == e.cost && d.edges < e.edges }

// step is the distance over edge n -> m given m's.
func (g *graph) step(m int, dm dist) dist {
	d := dist{dm.cost, dm.edges + 1}
	if g.cost[m] {
		d.cost++
	}
	return d
}

// distances is Dijkstra's search from the sinks over reversed edges,
// ordered by (cost, edges). Nodes beyond limit stay unreached.
func (g *graph) distances(sinks []int, limit int) []dist {
	d := make([]dist, len(g.names))
	for i := range d {
		d[i] = dist{-1, 0}
	}
	q := &distQueue{d: d}
	for _, s := range sinks {
		if d[s].cost < 0 {
			d[s] = dist{0, 0}
			heap.Push(q, s)
		}
	}
	done := make([]bool, len(d))
	for q.Len() > 0 {
		m := heap.Pop(q).(int)
		if done[m] {
			continue
		}
		done[m] = true
		for _, n := range g.pred[m] {
			nd := g.step(m, d[m])
			if nd.cost > limit || done[n] || d[n].cost >= 0 && !nd.less(d[n]) {
				continue
			}
			d[n] = nd
			heap.Push(q, n)
		}
	}
	return d
}

// distQueue is a min-heap of nodes by their distance (stale entries are
// skipped when popped).
type distQueue struct {
	nodes []int
	d     []dist
	keys  []dist
}

func (q *distQueue) Len() int { return len(q.nodes) }
func (q *distQueue) Less(i, j int) bool {
	if q.keys[i] != q.keys[j] {
		return q.keys[i].less(q.keys[j])
	}
	return q.nodes[i] < q.nodes[j]
}
func (q *distQueue) Swap(i, j int) {
	q.nodes[i], q.nodes[j] = q.nodes[j], q.nodes[i]
	q.keys[i], q.keys[j] = q.keys[j], q.keys[i]
}
func (q *distQueue) Push(x any) {
	n := x.(int)
	q.nodes = append(q.nodes, n)
	q.keys = append(q.keys, q.d[n])
}
func (q *distQueue) Pop() any {
	n := q.nodes[len(q.nodes)-1]
	q.nodes, q.keys = q.nodes[:len(q.nodes)-1], q.keys[:len(q.keys)-1]
	return n
}

// path walks from s towards the nearest sink, each step to the first
// successor (by name) on a cheapest way; nil when no sink is within reach.
func (g *graph) path(s int, d []dist) *ast.Term {
	if d[s].cost < 0 {
		return nil
	}
	terms := []*ast.Term{ast.StringTerm(g.names[s])}
	for n := s; d[n] != (dist{0, 0}); {
		i := slices.IndexFunc(g.succ[n], func(m int) bool { return d[m].cost >= 0 && g.step(m, d[m]) == d[n] })
		n = g.succ[n][i]
		terms = append(terms, ast.StringTerm(g.names[n]))
	}
	return ast.ArrayTerm(terms...)
}
