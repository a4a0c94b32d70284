package rules

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/util/version"

	"github.com/sascan/sascan/access"
	"github.com/sascan/sascan/scanner"
)

// KubeVersion is the Kubernetes version rules gate on.
type KubeVersion struct {
	Major, Minor int
	Known        bool // false: assume the latest behaviour
}

// LatestKubeVersion is the newest version whose behaviour rules know.
var LatestKubeVersion = KubeVersion{Major: 1, Minor: 37}

// ParseKubeVersion reads "1.34", "v1.34", "v1.34.2" or a distribution's
// "v1.29.3+k3s1", with Kubernetes' own version parser.
func ParseKubeVersion(s string) (KubeVersion, error) {
	v, err := version.ParseGeneric(strings.TrimSpace(s))
	if err != nil || v.Major() != 1 {
		return KubeVersion{}, fmt.Errorf("kubernetes version %q: want MAJOR.MINOR such as 1.34", s)
	}
	return KubeVersion{Major: int(v.Major()), Minor: int(v.Minor()), Known: true}, nil
}

// Params are what a scan tells the rules besides the inventory.
type Params struct {
	Now              time.Time
	KubeVersion      KubeVersion
	DefaultNamespace string
	Settings         Settings
	// CorpusComplete says the manifests hold the whole cluster, so a
	// ServiceAccount or role missing from them does not exist.
	CorpusComplete bool
	// Namespaces and ExcludeNamespaces are a live scan's namespace filter:
	// objects of other namespaces were not listed, so nothing is concluded
	// from their absence there.
	Namespaces, ExcludeNamespaces []string
	// Unlisted are the namespaces where a live scan could not list some
	// resource ("*" when a list failed cluster-wide): nothing is concluded
	// from absence there either.
	Unlisted []string
}

// Engine evaluates a set of rules: one prepared query per CPU, each over a
// share of the rules (partitions), over one input.
type Engine struct {
	rules    []*Rule
	parts    []partition
	compiler *ast.Compiler
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
	compiler := ast.NewCompiler().WithEnablePrintStatements(false)
	compiler.Compile(cat.modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("%w: %w", ErrPolicy, compiler.Errors)
	}
	n := min(runtime.GOMAXPROCS(0), max(len(enabled), 1))
	e := &Engine{rules: enabled, parts: make([]partition, n), compiler: compiler}
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
		pq, err := rego.New(rego.Query(strings.Join(parts, "; ")), rego.Compiler(compiler)).PrepareForEval(ctx)
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

// rawFinding is what a rule returns (policies/lib/result.rego).
type rawFinding struct {
	Object     int            `json:"object"`
	Path       string         `json:"path"`
	Message    string         `json:"message"`
	Severity   string         `json:"severity"`
	Confidence string         `json:"confidence"`
	Evidence   map[string]any `json:"evidence"`
	// AllowListed is set by lib/result.rego for objects on the system
	// allow-list: the severity drops one level.
	AllowListed string       `json:"allowListed"`
	Related     []rawRelated `json:"related"`
}

// rawRelated is an object a finding names besides its own.
type rawRelated struct {
	Object int    `json:"object"`
	Path   string `json:"path"`
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
// bindings' groups come from the bundled bootstrap policy in both modes.
// For manifests aggregated ClusterRoles are computed; a live cluster's are
// read as stored, since the controller keeps them current and the API
// server authorizes with them.
func NewModel(inv *scanner.Inventory, s Settings) *access.Model {
	return access.Build(inv, access.Options{
		ComputeAggregation: inv.Mode != scanner.ModeCluster,
		Bootstrap:          access.NewBootstrap(scanner.BootstrapPolicy()),
		Tokens:             access.TokenOptions{AssumeAutomount: s.AssumeAutomountWhenSAUnknown == nil || *s.AssumeAutomountWhenSAUnknown},
	})
}

// Evaluate runs every enabled rule over the inventory and returns findings
// with locations resolved, sorted, not yet suppressed or filtered.
func (e *Engine) Evaluate(ctx context.Context, inv *scanner.Inventory, p Params, opts EvalOptions) ([]Finding, error) {
	model := opts.Model
	if model == nil {
		model = NewModel(inv, p.Settings)
	}
	input, err := InputValue(inv, model, p)
	if err != nil {
		return nil, err
	}
	if opts.ReleaseRaw {
		inv.ReleaseRaw()
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

func (e *Engine) finding(r *Rule, f rawFinding, inv *scanner.Inventory, loc *locations, index int) (Finding, error) {
	if f.Object < 0 || f.Object >= len(inv.Objects) {
		return Finding{}, fmt.Errorf("rule %s: finding names object %d, which is not in the inventory", r.ID, f.Object)
	}
	o := inv.Objects[f.Object]
	fd := Finding{
		RuleID: r.ID, Title: r.Title, Severity: r.Severity, Confidence: Certain,
		Message: f.Message, Object: refOf(o), Path: f.Path, Evidence: f.Evidence,
		Remediation: r.Remediation, References: r.References,
		objectID: o.ID, group: o.Group,
	}
	if f.Severity != "" {
		s, err := ParseSeverity(f.Severity)
		if err != nil {
			return Finding{}, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		fd.Severity = s
	}
	if f.Confidence != "" {
		fd.Confidence = Confidence(f.Confidence)
		if !fd.Confidence.valid() {
			return Finding{}, fmt.Errorf("rule %s: unknown confidence %q", r.ID, f.Confidence)
		}
	}
	if f.AllowListed != "" {
		if fd.Severity > Info {
			fd.Severity--
		}
		if fd.Evidence == nil {
			fd.Evidence = map[string]any{}
		}
		fd.Evidence["allowListed"] = f.AllowListed
	}
	if o.Source != nil && o.Source.Template != "" && o.Source.File != scanner.StdinName {
		if fd.Evidence == nil {
			fd.Evidence = map[string]any{}
		}
		fd.Evidence["helmTemplate"] = o.Source.Template
	}
	fd.Location = loc.add(inv, o, f.Path, index, -1)
	for _, rel := range f.Related {
		if rel.Object < 0 || rel.Object >= len(inv.Objects) {
			continue
		}
		ro := inv.Objects[rel.Object]
		fd.Related = append(fd.Related, Related{Object: refOf(ro), Path: rel.Path, Location: loc.add(inv, ro, rel.Path, index, len(fd.Related))})
	}
	fd.Fingerprint = fingerprint(r.ID, o.Group, fd.Object, f.Path)
	return fd, nil
}

func refOf(o *scanner.Object) ObjectRef {
	return ObjectRef{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name}
}

// locations collects the manifest positions findings need and resolves
// them in one batch (scanner.Locate parses each document once, in parallel).
type locations struct {
	cluster string
	refs    []scanner.FieldRef
	slots   []locSlot
}

// locSlot is where a resolved position goes: the finding's index, and the
// related object's index or -1 for the finding's own object. templateLine
// is the Helm template's line offset, or -1 for plain files.
type locSlot struct {
	finding, related int
	file             string
	templateLine     int
}

// add returns the location of path in o as far as it is known now; a
// manifest position is filled in by resolve.
func (l *locations) add(inv *scanner.Inventory, o *scanner.Object, path string, finding, related int) Location {
	if l.cluster != "" {
		return Location{Cluster: l.cluster}
	}
	if o.Source == nil {
		if o.Anchor >= 0 && inv.Objects[o.Anchor].Source != nil {
			a := inv.Objects[o.Anchor].Source
			return Location{File: a.File, Line: a.Line, Column: a.Column}
		}
		return Location{}
	}
	slot := locSlot{finding: finding, related: related, file: o.Source.File, templateLine: -1}
	if o.Source.Template != "" && o.Source.File == scanner.StdinName {
		// Helm output on standard input, where there is no file to point
		// at: the chart's template file, and the line within the rendered
		// document. A rendered file on disk is reported at its own lines
		// (the template goes into evidence).
		slot.file, slot.templateLine = o.Source.Template, o.Source.TemplateLine
	}
	l.refs = append(l.refs, scanner.FieldRef{Source: o.Source, Path: path})
	l.slots = append(l.slots, slot)
	return Location{File: slot.file}
}

// resolve fills in the positions add deferred. A finding whose own object
// has no file (a built-in role) points at its first related object that has.
func (l *locations) resolve(fs []Finding) {
	for i, pos := range scanner.Locate(l.refs) {
		s := l.slots[i]
		loc := Location{File: s.file, Line: pos.Line, Column: pos.Column}
		if s.templateLine >= 0 {
			loc.Line -= s.templateLine
		}
		if s.related < 0 {
			fs[s.finding].Location = loc
		} else {
			fs[s.finding].Related[s.related].Location = loc
		}
	}
	for i := range fs {
		fd := &fs[i]
		if fd.Location.File == "" && fd.Location.Cluster == "" {
			for _, rel := range fd.Related {
				if rel.Location.File != "" {
					fd.Location = rel.Location
					break
				}
			}
		}
	}
}

// InputValue converts the inventory into the Rego input document once, in
// parallel: {mode, params, objects, kinds, tokenCandidates, podSpecs,
// controlPlanes}. kinds[k] lists the objects of kind k, so that rules never
// scan every object; tokenCandidates lists the ids of the objects with a
// string in which a JWT could be found (mayHoldToken), so the token rules
// read only those.
func InputValue(inv *scanner.Inventory, model *access.Model, p Params) (ast.Value, error) {
	objs := make([]*ast.Term, len(inv.Objects))
	candidate := make([]bool, len(inv.Objects))
	workers := runtime.GOMAXPROCS(0)
	err := parallel(workers, func(w int) error {
		for i := w; i < len(inv.Objects); i += workers {
			t, err := objectTerm(inv.Objects[i])
			if err != nil {
				return err
			}
			objs[i] = t
			if pr, ok := inv.Objects[i].Prepared.(prepared); ok {
				candidate[i] = pr.tokenCandidate
			} else {
				candidate[i] = mayHoldToken(inv.Objects[i].Raw)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	specs := make([]*ast.Term, len(inv.PodSpecs))
	_ = parallel(workers, func(w int) error {
		for i := w; i < len(specs); i += workers {
			ps := inv.PodSpecs[i]
			specs[i] = podSpecTerm(objs[ps.Object], ps, model.PodSpecs[i])
		}
		return nil
	})
	cps := make([]any, 0, len(inv.ControlPlanes))
	for _, cp := range inv.ControlPlanes {
		flags := map[string]any{}
		names := make([]string, 0, len(cp.Flags))
		for n := range cp.Flags {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			var occ []any
			for _, f := range cp.Flags[n] {
				occ = append(occ, map[string]any{"value": f.Value, "bare": f.Bare, "path": f.Path})
			}
			flags[n] = occ
		}
		cps = append(cps, map[string]any{"object": cp.Object, "component": cp.Component, "path": cp.Path, "flags": flags})
	}
	// kinds holds the object terms themselves (shared, not copied), so a
	// rule reads the objects of a kind without a lookup per object.
	kinds := map[string][]*ast.Term{}
	candidates := []any{}
	for i, o := range inv.Objects {
		kinds[o.Kind] = append(kinds[o.Kind], objs[i])
		if candidate[i] {
			candidates = append(candidates, o.ID)
		}
	}
	byKind := ast.NewObject()
	for k, l := range kinds {
		byKind.Insert(ast.StringTerm(k), ast.ArrayTerm(l...))
	}
	rest, err := ast.InterfaceToValue(map[string]any{
		"tokenCandidates": candidates,
		"mode":            string(inv.Mode),
		"params":          p.value(),
		"controlPlanes":   cps,
	})
	if err != nil {
		return nil, fmt.Errorf("convert input: %w", err)
	}
	obj := rest.(ast.Object)
	obj.Insert(ast.StringTerm("objects"), ast.ArrayTerm(objs...))
	obj.Insert(ast.StringTerm("kinds"), ast.NewTerm(byKind))
	obj.Insert(ast.StringTerm("podSpecs"), ast.ArrayTerm(specs...))
	obj.Insert(ast.StringTerm("access"), accessTerm(model))
	return obj, nil
}

// podSpecTerm is one pod spec as the rules read it (lib/k8s pod_specs):
// {obj, path, spec, meta, sa, saKey, static, automount, containers,
// tokenContainers, autoTokenContainers, injectedVolumes}. obj, spec and meta are the
// object's own sub-terms, not copies; containers lists every container
// (init, regular, ephemeral) with its field path, the volumes its
// volumeMounts name and how it holds the token (the access model's
// auto and projected); tokenContainers and autoTokenContainers are the
// non-ephemeral ones that hold a token, and an automounted one.
func podSpecTerm(obj *ast.Term, ps scanner.PodSpec, m access.PodSpec) *ast.Term {
	meta := ps.Meta
	if meta == nil {
		meta = []string{"metadata"}
	}
	raw := get(obj, "object")
	spec := get(raw, ps.Path...)
	if spec == nil {
		spec = ast.ObjectTerm()
	}
	md := get(raw, meta...)
	if md == nil {
		md = ast.ObjectTerm()
	}
	specPath := strings.Join(ps.Path, ".")
	volumes := map[string][]*ast.Term{}
	if vs, ok := valueOf(get(spec, "volumes")).(*ast.Array); ok {
		vs.Foreach(func(v *ast.Term) {
			if name, ok := valueOf(get(v, "name")).(ast.String); ok {
				volumes[string(name)] = append(volumes[string(name)], v)
			}
		})
	}
	var containers, holding, auto []*ast.Term
	for _, ct := range m.Containers {
		cs, _ := valueOf(get(spec, ct.Field)).(*ast.Array)
		c := cs.Elem(ct.Index)
		var mounted []*ast.Term
		if ms, ok := valueOf(get(c, "volumeMounts")).(*ast.Array); ok {
			ms.Foreach(func(mt *ast.Term) {
				if name, ok := valueOf(get(mt, "name")).(ast.String); ok {
					mounted = append(mounted, volumes[string(name)]...)
				}
			})
		}
		t := ast.ObjectTerm(
			ast.Item(ast.StringTerm("field"), ast.StringTerm(ct.Field)),
			ast.Item(ast.StringTerm("index"), ast.IntNumberTerm(ct.Index)),
			ast.Item(ast.StringTerm("path"), ast.StringTerm(fmt.Sprintf("%s.%s[%d]", specPath, ct.Field, ct.Index))),
			ast.Item(ast.StringTerm("c"), c),
			ast.Item(ast.StringTerm("mounted"), ast.ArrayTerm(mounted...)),
			ast.Item(ast.StringTerm("auto"), ast.BooleanTerm(ct.Auto)),
			ast.Item(ast.StringTerm("projected"), ast.BooleanTerm(ct.Projected)),
		)
		containers = append(containers, t)
		if ct.HoldsToken() {
			holding = append(holding, t)
			if ct.Auto {
				auto = append(auto, t)
			}
		}
	}
	return ast.ObjectTerm(
		ast.Item(ast.StringTerm("obj"), obj),
		ast.Item(ast.StringTerm("path"), ast.StringTerm(specPath)),
		ast.Item(ast.StringTerm("spec"), spec),
		ast.Item(ast.StringTerm("meta"), md),
		ast.Item(ast.StringTerm("sa"), ast.StringTerm(m.ServiceAccount)),
		ast.Item(ast.StringTerm("saKey"), ast.StringTerm(m.Key)),
		ast.Item(ast.StringTerm("static"), ast.BooleanTerm(m.Static)),
		ast.Item(ast.StringTerm("automount"), ast.BooleanTerm(m.Automount)),
		ast.Item(ast.StringTerm("containers"), ast.ArrayTerm(containers...)),
		ast.Item(ast.StringTerm("tokenContainers"), ast.ArrayTerm(holding...)),
		ast.Item(ast.StringTerm("autoTokenContainers"), ast.ArrayTerm(auto...)),
		ast.Item(ast.StringTerm("injectedVolumes"), intsTerm(m.Injected)),
	)
}

func intsTerm(l []int) *ast.Term {
	ts := make([]*ast.Term, len(l))
	for i, n := range l {
		ts[i] = ast.IntNumberTerm(n)
	}
	return ast.ArrayTerm(ts...)
}

// get walks object keys from t; nil when a key is missing or a value on
// the way is not an object.
func get(t *ast.Term, keys ...string) *ast.Term {
	for _, k := range keys {
		o, ok := valueOf(t).(ast.Object)
		if !ok {
			return nil
		}
		t = o.Get(ast.StringTerm(k))
	}
	return t
}

func valueOf(t *ast.Term) ast.Value {
	if t == nil {
		return nil
	}
	return t.Value
}

func objectTerm(o *scanner.Object) (*ast.Term, error) {
	owners := make([]*ast.Term, len(o.Owners))
	for i, id := range o.Owners {
		owners[i] = ast.IntNumberTerm(id)
	}
	pr, _ := o.Prepared.(prepared)
	raw := pr.value
	if raw == nil {
		v, err := ast.InterfaceToValue(o.Raw)
		if err != nil {
			return nil, fmt.Errorf("convert %s %s/%s: %w", o.Kind, o.Namespace, o.Name, err)
		}
		raw = v
	}
	return ast.ObjectTerm(
		ast.Item(ast.StringTerm("id"), ast.IntNumberTerm(o.ID)),
		ast.Item(ast.StringTerm("apiVersion"), ast.StringTerm(o.APIVersion)),
		ast.Item(ast.StringTerm("group"), ast.StringTerm(o.Group)),
		ast.Item(ast.StringTerm("kind"), ast.StringTerm(o.Kind)),
		ast.Item(ast.StringTerm("namespace"), ast.StringTerm(o.Namespace)),
		ast.Item(ast.StringTerm("name"), ast.StringTerm(o.Name)),
		ast.Item(ast.StringTerm("origin"), ast.StringTerm(string(o.Origin))),
		ast.Item(ast.StringTerm("owners"), ast.ArrayTerm(owners...)),
		ast.Item(ast.StringTerm("shadowed"), ast.BooleanTerm(o.Shadowed)),
		ast.Item(ast.StringTerm("object"), ast.NewTerm(raw)),
	), nil
}

// PrepareObject converts one listed object to the rules' input form ahead
// of evaluation (scanner.ClusterOptions.Prepare), and notes whether it may
// hold a token (mayHoldToken). When the conversion fails it is retried,
// and its error reported, at evaluation.
func PrepareObject(raw map[string]any) any {
	v, err := ast.InterfaceToValue(raw)
	if err != nil {
		v = nil // InputValue converts it again and reports the error
	}
	return prepared{value: v, tokenCandidate: mayHoldToken(raw)}
}

// prepared is what PrepareObject makes of an object.
type prepared struct {
	value          ast.Value
	tokenCandidate bool
}

func (p Params) value() map[string]any {
	kv := p.KubeVersion
	if kv.Major == 0 {
		kv = LatestKubeVersion
	}
	m := map[string]any{
		"now_ns":                       p.Now.UnixNano(),
		"defaultNamespace":             p.DefaultNamespace,
		"kubeVersion":                  map[string]any{"major": kv.Major, "minor": kv.Minor, "known": kv.Known},
		"tokenTTL":                     map[string]any{"lowSeconds": p.Settings.TokenTTL.LowSeconds, "mediumSeconds": p.Settings.TokenTTL.MediumSeconds},
		"legacy":                       map[string]any{"activeDays": p.Settings.Legacy.ActiveDays, "staleDays": p.Settings.Legacy.StaleDays},
		"assumeAutomountWhenSAUnknown": p.Settings.AssumeAutomountWhenSAUnknown == nil || *p.Settings.AssumeAutomountWhenSAUnknown,
		"corpusComplete":               p.CorpusComplete,
	}
	if len(p.Settings.SystemAllowList) > 0 {
		var l []any
		for _, e := range p.Settings.SystemAllowList {
			l = append(l, map[string]any{"kind": or(e.Kind, "*"), "namespace": or(e.Namespace, "*"), "name": or(e.Name, "*")})
		}
		m["systemAllowList"] = l
	}
	if len(p.Namespaces) > 0 || len(p.ExcludeNamespaces) > 0 || len(p.Unlisted) > 0 {
		m["namespaceFilter"] = map[string]any{"include": anySlice(p.Namespaces), "exclude": anySlice(p.ExcludeNamespaces), "unlisted": anySlice(p.Unlisted)}
	}
	if p.Settings.Pre135ExecGetIsDangerous != nil {
		m["pre135ExecGetIsDangerous"] = *p.Settings.Pre135ExecGetIsDangerous
	}
	return m
}

func anySlice(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
