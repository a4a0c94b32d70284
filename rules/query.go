package rules

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Access is what the rules conclude about access in one inventory, for
// `sascan access`: the capabilities each binding grants (lib/rbac) and
// the workloads that hold each ServiceAccount's token (lib/holders).
type Access struct {
	// Capabilities by binding object id.
	Capabilities map[int][]Capability
	// Holders by ServiceAccount ("ns/name").
	Holders map[string][]Holder
	// BindingTiers is the top privilege tier each binding grants, and
	// AccountTiers each ServiceAccount's (lib/rbac top_tier, sa_top_tier):
	// 0 is T0, 3 none.
	BindingTiers map[int]int
	AccountTiers map[string]int
	// TierNames spells tier t as TierNames[t] (lib/rbac tier_name).
	TierNames []string
}

// Capability is one entry of the dangerous-permission catalogue a binding
// grants, after scope upgrade.
type Capability struct {
	ID       string `json:"id"`
	Tier     int    `json:"tier"`
	Scope    string `json:"scope"`
	Upgraded bool   `json:"upgraded"`
}

// Holder is a workload that holds a ServiceAccount's token.
type Holder struct {
	Object int      `json:"object"`
	Ways   []string `json:"ways"`
}

const accessQuery = `caps = data.sascan.lib.rbac.binding_capabilities; holders = data.sascan.lib.holders.by_sa;
btiers = {id: data.sascan.lib.rbac.top_tier(c) | some id, c in caps};
atiers = {k: data.sascan.lib.rbac.sa_top_tier(ns, name) | some k in data.sascan.lib.rbac.sa_keys; [ns, name] := split(k, "/")};
names = [data.sascan.lib.rbac.tier_name(t) | some t in numbers.range(0, 3)]`

// EvaluateAccess evaluates the access conclusions over input (InputValue).
func EvaluateAccess(ctx context.Context, cat *Catalogue, input ast.Value) (*Access, error) {
	compiler := newCompiler()
	compiler.Compile(cat.modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, compiler.Errors)
	}
	rs, err := rego.New(rego.Query(accessQuery), rego.Compiler(compiler), rego.ParsedInput(input), withBuiltins).Eval(ctx)
	if err != nil {
		return nil, fmt.Errorf("evaluate access: %w", err)
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("evaluate access: the query has no result")
	}
	var caps map[string][]Capability
	if err := convert(rs[0].Bindings["caps"], &caps); err != nil {
		return nil, fmt.Errorf("evaluate access: capabilities: %w", err)
	}
	var btiers map[string]int
	if err := convert(rs[0].Bindings["btiers"], &btiers); err != nil {
		return nil, fmt.Errorf("evaluate access: tiers: %w", err)
	}
	a := &Access{Capabilities: map[int][]Capability{}, Holders: map[string][]Holder{}, BindingTiers: map[int]int{}, AccountTiers: map[string]int{}}
	for k, v := range caps {
		var id int
		if _, err := fmt.Sscan(k, &id); err != nil {
			return nil, fmt.Errorf("evaluate access: binding id %q", k)
		}
		a.Capabilities[id] = v
		a.BindingTiers[id] = btiers[k]
	}
	if err := convert(rs[0].Bindings["atiers"], &a.AccountTiers); err != nil {
		return nil, fmt.Errorf("evaluate access: tiers: %w", err)
	}
	if err := convert(rs[0].Bindings["names"], &a.TierNames); err != nil || len(a.TierNames) != 4 {
		return nil, fmt.Errorf("evaluate access: tier names: %v", err)
	}
	if err := convert(rs[0].Bindings["holders"], &a.Holders); err != nil {
		return nil, fmt.Errorf("evaluate access: holders: %w", err)
	}
	return a, nil
}

func convert(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// TierName spells tier t as the rules do; "none" past the last.
func (a *Access) TierName(t int) string {
	if t < 0 || t >= len(a.TierNames) {
		return a.TierNames[len(a.TierNames)-1]
	}
	return a.TierNames[t]
}
