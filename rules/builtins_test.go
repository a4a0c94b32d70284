package rules

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/rego"
)

func evalBuiltin(t *testing.T, query string) any {
	t.Helper()
	rs, err := rego.New(rego.Query("x := "+query), withBuiltins).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("%s: %d results", query, len(rs))
	}
	// Through JSON, so that expectations are plain maps and slices.
	b, _ := json.Marshal(rs[0].Bindings["x"])
	var v any
	_ = json.Unmarshal(b, &v)
	return v
}

type paths = map[string]any

func TestShortestPaths(t *testing.T) {
	// t:* nodes cost one to enter; limits bound how many.
	for _, tc := range []struct {
		name, graph, sources, sinks, limits string
		want                                paths
	}{{
		name:    "fewest costly nodes first, then fewest edges, then smallest names",
		graph:   `{"t:a": ["x", "t:c", "t:b"], "t:b": ["s"], "t:c": ["s"], "x": ["y"], "y": ["z"], "z": ["s2"]}`,
		sources: `{"t:a"}`, sinks: `{"one": ["s"], "two": ["s2"]}`, limits: `{"cost_prefix": "t:", "max_cost": 3}`,
		// s: through t:b or t:c (one costly node each): t:b by name. s2:
		// four edges but no costly node.
		want: paths{"one": paths{"t:a": []any{"t:a", "t:b", "s"}}, "two": paths{"t:a": []any{"t:a", "x", "y", "z", "s2"}}},
	}, {
		name:    "a longer route that takes fewer costly nodes wins",
		graph:   `{"t:a": ["t:b", "p"], "t:b": ["t:c"], "t:c": ["s"], "p": ["q"], "q": ["r"], "r": ["t:d"], "t:d": ["s"]}`,
		sources: `["t:a"]`, sinks: `{"k": ["s"]}`, limits: `{"cost_prefix": "t:", "max_cost": 5}`,
		want: paths{"k": paths{"t:a": []any{"t:a", "p", "q", "r", "t:d", "s"}}},
	}, {
		name:    "the cost limit: the source is free, each costly node entered counts",
		graph:   `{"t:a": ["t:b"], "t:b": ["t:c"], "t:c": ["s"]}`,
		sources: `["t:a", "t:b"]`, sinks: `{"k": ["s"]}`, limits: `{"cost_prefix": "t:", "max_cost": 1}`,
		want: paths{"k": paths{"t:b": []any{"t:b", "t:c", "s"}}},
	}, {
		name:    "a source that is a sink, a source that reaches none, an empty sink set",
		graph:   `{"a": ["b"], "z": []}`,
		sources: `["a", "b", "z"]`, sinks: `{"k": ["b"], "none": []}`, limits: `{"cost_prefix": "", "max_cost": 0}`,
		want: paths{"k": paths{"a": []any{"a", "b"}, "b": []any{"b"}}, "none": paths{}},
	}, {
		name:    "min_cost leaves out the cheaper paths",
		graph:   `{"t:a": ["s"], "t:b": ["t:c"], "t:c": ["s"]}`,
		sources: `["t:a", "t:b"]`, sinks: `{"k": ["s"]}`, limits: `{"cost_prefix": "t:", "max_cost": 3, "min_cost": 1}`,
		want: paths{"k": paths{"t:b": []any{"t:b", "t:c", "s"}}},
	}, {
		name:    "cycles end",
		graph:   `{"x": ["y", "a"], "y": ["x", "s2"], "a": ["a0"], "a0": ["s1"]}`,
		sources: `["x"]`, sinks: `{"k": ["s1", "s2"]}`, limits: `{"cost_prefix": "t:", "max_cost": 0}`,
		want: paths{"k": paths{"x": []any{"x", "y", "s2"}}},
	}, {
		name:    "an array of graphs is their union",
		graph:   `[{"a": ["b"]}, {"b": ["c"], "a": ["x"]}]`,
		sources: `["a"]`, sinks: `{"k": ["c"]}`, limits: `{"cost_prefix": "t:", "max_cost": 0}`,
		want: paths{"k": paths{"a": []any{"a", "b", "c"}}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := evalBuiltin(t, "sascan.graph.shortest_paths("+tc.graph+", "+tc.sources+", "+tc.sinks+", "+tc.limits+")")
			if diff := cmp.Diff(any(map[string]any(tc.want)), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// The result does not depend on the order of successors or of graph keys.
func TestShortestPathsIgnoresInputOrder(t *testing.T) {
	a := evalBuiltin(t, `sascan.graph.shortest_paths({"s": ["m2", "m1"], "m1": ["t"], "m2": ["t"]}, ["s"], {"k": ["t"]}, {"cost_prefix": "", "max_cost": 0})`)
	b := evalBuiltin(t, `sascan.graph.shortest_paths([{"m2": ["t"]}, {"s": ["m1", "m2"], "m1": ["t"]}], {"s"}, {"k": {"t"}}, {"cost_prefix": "", "max_cost": 0})`)
	want := map[string]any{"k": map[string]any{"s": []any{"s", "m1", "t"}}}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("first order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("second order (-want +got):\n%s", diff)
	}
}

func TestShortestPathsRejectsBadArguments(t *testing.T) {
	for _, q := range []string{
		`sascan.graph.shortest_paths({"a": [1]}, ["a"], {"k": ["a"]}, {"cost_prefix": "", "max_cost": 2})`,
		`sascan.graph.shortest_paths({"a": ["b"]}, ["a"], {"k": ["b"]}, {"cost_prefix": "", "max_cost": -1})`,
		`sascan.graph.shortest_paths({"a": ["b"]}, ["a"], {"k": ["b"]}, {"cost_prefix": "", "max_cost": 1.5})`,
		`sascan.graph.shortest_paths({"a": ["b"]}, ["a"], {"k": ["b"]}, {"max_cost": 1})`,
		`sascan.graph.shortest_paths({"a": ["b"]}, ["a"], {"k": ["b"]}, {"cost_prefix": "", "max_cost": 1, "min_cost": -1})`,
		`sascan.graph.shortest_paths([{"a": ["b"]}, 3], ["a"], {"k": ["b"]}, {"cost_prefix": "", "max_cost": 1})`,
	} {
		_, err := rego.New(rego.Query("x := "+q), rego.StrictBuiltinErrors(true), withBuiltins).Eval(context.Background())
		if err == nil {
			t.Errorf("%s: no error", q)
		}
	}
}
