package rules

import (
	"fmt"
	"slices"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

// The builtins sascan adds to Rego: algorithms, not meanings. What the
// nodes and edges of a graph stand for, and which nodes are sinks, the
// policies decide; a builtin only searches.

// shortestPathsDecl is
//
//	sascan.graph.shortest_paths(graph, sources, sinks, max_edges)
//
// graph maps each node to its successors (an array or set of strings);
// an array of such objects is their union. sources is a set or array of nodes and sinks an object of named sink
// sets. The result maps each sink name to an object with, for every
// source from which one of its sinks is reachable in at most max_edges
// edges, the shortest such path [source, ..., sink]. Among paths of equal
// length the one whose nodes are lexicographically smallest, step by step,
// is chosen, so the result does not depend on the order of the input.
// One breadth-first search per sink name over the reversed graph: time
// linear in nodes plus edges, whatever the number of sources.
var shortestPathsDecl = &rego.Function{
	Name: "sascan.graph.shortest_paths",
	Decl: types.NewFunction(
		types.Args(
			types.Named("graph", types.NewAny(adjacency, types.NewArray(nil, adjacency))).Description("successors of each node, or an array of such objects"),
			types.Named("sources", types.NewAny(types.NewArray(nil, types.S), types.NewSet(types.S))).Description("the nodes paths start from"),
			types.Named("sinks", types.NewObject(nil, types.NewDynamicProperty(types.S, types.NewAny(types.NewArray(nil, types.S), types.NewSet(types.S))))).Description("named sets of nodes paths end at"),
			types.Named("max_edges", types.N).Description("the longest path, in edges"),
		),
		types.Named("paths", types.NewObject(nil, types.NewDynamicProperty(types.S, types.A))).Description("per sink name, source to path"),
	),
	Description: "Shortest paths from each source to the nearest node of each named sink set.",
}

var adjacency = types.NewObject(nil, types.NewDynamicProperty(types.S, types.NewAny(types.NewArray(nil, types.S), types.NewSet(types.S))))

func init() {
	rego.RegisterBuiltin4(shortestPathsDecl, shortestPaths)
}

// Builtins are the declarations of sascan's own Rego builtins, for
// capabilities files (opa check --capabilities).
func Builtins() []*ast.Builtin {
	return []*ast.Builtin{{Name: shortestPathsDecl.Name, Decl: shortestPathsDecl.Decl, Description: shortestPathsDecl.Description}}
}

func shortestPaths(_ rego.BuiltinContext, graphT, sourcesT, sinksT, maxT *ast.Term) (*ast.Term, error) {
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
	max, ok := maxT.Value.(ast.Number)
	if !ok {
		return nil, fmt.Errorf("%s: max_edges must be a number", shortestPathsDecl.Name)
	}
	limit, ok := max.Int()
	if !ok || limit < 0 {
		return nil, fmt.Errorf("%s: max_edges must be a whole number >= 0", shortestPathsDecl.Name)
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

// distances is a breadth-first search from the sinks over reversed edges:
// dist[n] is the number of edges from n to the nearest sink, -1 when none
// is within limit.
func (g *graph) distances(sinks []int, limit int) []int {
	dist := make([]int, len(g.names))
	for i := range dist {
		dist[i] = -1
	}
	queue := make([]int, 0, len(sinks))
	for _, s := range sinks {
		if dist[s] < 0 {
			dist[s] = 0
			queue = append(queue, s)
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if dist[n] == limit {
			continue
		}
		for _, p := range g.pred[n] {
			if dist[p] < 0 {
				dist[p] = dist[n] + 1
				queue = append(queue, p)
			}
		}
	}
	return dist
}

// path walks from s towards the nearest sink, each step to the first
// successor (by name) one edge closer; nil when no sink is within reach.
func (g *graph) path(s int, dist []int) *ast.Term {
	if dist[s] < 0 {
		return nil
	}
	terms := []*ast.Term{ast.StringTerm(g.names[s])}
	for n := s; dist[n] > 0; {
		i := slices.IndexFunc(g.succ[n], func(m int) bool { return dist[m] == dist[n]-1 })
		n = g.succ[n][i]
		terms = append(terms, ast.StringTerm(g.names[n]))
	}
	return ast.ArrayTerm(terms...)
}
