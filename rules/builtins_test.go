package rules

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
)

func evalBuiltin(t *testing.T, query string) any {
	t.Helper()
	rs, err := rego.New(rego.Query("x := " + query)).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("%s: %d results", query, len(rs))
	}
	return rs[0].Bindings["x"]
}

func TestShortestPaths(t *testing.T) {
	// a -> b -> d (sink), a -> c -> d, a -> e -> f -> g (sink 2 edges
	// further), s is a sink itself, z reaches nothing.
	g := `{"a": ["c", "b", "e"], "b": ["d"], "c": ["d"], "e": ["f"], "f": ["g"], "z": []}`
	got := evalBuiltin(t, `sascan.graph.shortest_paths(`+g+`, {"a", "z", "d", "e"}, {"k1": ["d"], "k2": {"g"}, "none": []}, 3)`)
	want := map[string]any{
		"k1":   map[string]any{"a": []any{"a", "b", "d"}, "d": []any{"d"}},
		"k2":   map[string]any{"a": []any{"a", "e", "f", "g"}, "e": []any{"e", "f", "g"}},
		"none": map[string]any{},
	}
	assertJSONEqual(t, got, want)

	// The edge limit: g is 3 edges from a, 2 from e.
	got = evalBuiltin(t, `sascan.graph.shortest_paths(`+g+`, ["a", "e"], {"k2": ["g"]}, 2)`)
	assertJSONEqual(t, got, map[string]any{"k2": map[string]any{"e": []any{"e", "f", "g"}}})

	// An array of graphs is their union.
	got = evalBuiltin(t, `sascan.graph.shortest_paths([{"a": ["b"]}, {"b": ["c"], "a": ["x"]}], ["a"], {"k": ["c"]}, 5)`)
	assertJSONEqual(t, got, map[string]any{"k": map[string]any{"a": []any{"a", "b", "c"}}})

	// Cycles end; the nearest sink wins over a nearer-named far one.
	got = evalBuiltin(t, `sascan.graph.shortest_paths({"x": ["y", "a"], "y": ["x", "s2"], "a": ["a0"], "a0": ["s1"]}, ["x"], {"k": ["s1", "s2"]}, 10)`)
	assertJSONEqual(t, got, map[string]any{"k": map[string]any{"x": []any{"x", "y", "s2"}}})
}

func TestShortestPathsRejectsBadArguments(t *testing.T) {
	for _, q := range []string{
		`sascan.graph.shortest_paths({"a": [1]}, ["a"], {"k": ["a"]}, 2)`,
		`sascan.graph.shortest_paths({"a": ["b"]}, ["a"], {"k": ["b"]}, -1)`,
		`sascan.graph.shortest_paths({"a": ["b"]}, ["a"], {"k": ["b"]}, 1.5)`,
		`sascan.graph.shortest_paths([{"a": ["b"]}, 3], ["a"], {"k": ["b"]}, 1)`,
	} {
		_, err := rego.New(rego.Query("x := "+q), rego.StrictBuiltinErrors(true)).Eval(context.Background())
		if err == nil {
			t.Errorf("%s: no error", q)
		}
	}
}

func assertJSONEqual(t *testing.T, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("got  %s\nwant %s", g, w)
	}
}
