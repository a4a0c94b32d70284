package rules

import (
	"encoding/json"
	"fmt"
)

// decodeFindings reads a rule's findings as the rego package returns them
// (sets as []any, objects as map[string]any, numbers as json.Number) into
// rawFindings. Keys other than rawFinding's are ignored; evidence keeps its
// JSON shape, with numbers as float64, as encoding/json would give them.
func decodeFindings(v any) ([]rawFinding, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("want a set of findings, got %T", v)
	}
	out := make([]rawFinding, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("want a finding object, got %s", jsonText(e))
		}
		var f rawFinding
		var err error
		if f.Object, err = intField(m, "object"); err != nil {
			return nil, err
		}
		for _, s := range []struct {
			key string
			dst *string
		}{{"path", &f.Path}, {"message", &f.Message}, {"severity", &f.Severity}, {"confidence", &f.Confidence}, {"allowListed", &f.AllowListed}, {"key", &f.Key}} {
			if *s.dst, err = stringField(m, s.key); err != nil {
				return nil, err
			}
		}
		if ev, ok := m["evidence"]; ok && ev != nil {
			em, ok := ev.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("evidence: want an object, got %s", jsonText(ev))
			}
			f.Evidence = plain(em).(map[string]any)
		}
		if rel, ok := m["related"]; ok && rel != nil {
			rl, ok := rel.([]any)
			if !ok {
				return nil, fmt.Errorf("related: want a list, got %s", jsonText(rel))
			}
			for _, x := range rl {
				rm, ok := x.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("related: want {object, path}, got %s", jsonText(x))
				}
				id, err := intField(rm, "object")
				if err != nil {
					return nil, fmt.Errorf("related: %w", err)
				}
				path, err := stringField(rm, "path")
				if err != nil {
					return nil, fmt.Errorf("related: %w", err)
				}
				f.Related = append(f.Related, rawRelated{Object: id, Path: path})
			}
		}
		out = append(out, f)
	}
	return out, nil
}

func intField(m map[string]any, key string) (int, error) {
	switch x := m[key].(type) {
	case nil:
		return 0, nil
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			return 0, fmt.Errorf("%s: want an object id, got %s", key, x)
		}
		return int(n), nil
	default:
		return 0, fmt.Errorf("%s: want an object id, got %s", key, jsonText(x))
	}
}

func stringField(m map[string]any, key string) (string, error) {
	switch x := m[key].(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	default:
		return "", fmt.Errorf("%s: want a string, got %s", key, jsonText(x))
	}
}

// plain turns json.Number into float64 throughout, as decoding JSON into
// any does.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}
