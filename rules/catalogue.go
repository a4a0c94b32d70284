package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sascan/sascan/policies"
)

// ErrPolicy marks a policy that cannot be loaded: a syntax error, bad
// METADATA, a duplicate ID. The message names the file and line.
var ErrPolicy = errors.New("invalid policy")

// Mode is where a rule can run.
const (
	ModeManifest = "manifest"
	ModeCluster  = "cluster"
)

// Rule is one catalogue entry, decoded from its package METADATA.
type Rule struct {
	ID          string
	Title       string
	Description string
	Family      string
	Severity    Severity
	Remediation string
	// Example is YAML that follows the remediation (METADATA custom.example;
	// every built-in rule has one, user rules may).
	Example    string
	Modes      []string
	References []string
	Package    string // Rego package path, e.g. sascan.rules.tokens.long_lived_secret
	File       string
	Builtin    bool
}

// RunsIn reports whether the rule applies in a scan mode.
func (r *Rule) RunsIn(mode string) bool {
	for _, m := range r.Modes {
		if m == mode {
			return true
		}
	}
	return false
}

// Catalogue is the set of rules and the Rego modules behind them.
type Catalogue struct {
	Rules   []*Rule // sorted by ID
	modules map[string]*ast.Module
	tests   map[string]*ast.Module
	user    bool // holds user policies (-p)

	projOnce sync.Once
	proj     *Projection
}

// LoadOptions select what Load reads besides the built-in policies.
type LoadOptions struct {
	PolicyDirs []string // user policies (-p)
	Tests      bool     // also parse *_test.rego files (for the Rego test runner)
}

// custom is the contract of METADATA custom: the required keys, the
// optional example, no others.
type custom struct {
	ID          string
	Severity    Severity
	Family      string
	Remediation string
	Example     string
	Modes       []string
}

var (
	builtinIDRE = regexp.MustCompile(`^SA\d{3}$`)
	userIDRE    = regexp.MustCompile(`^[A-Z][A-Z0-9]*-?[A-Z0-9-]{1,30}$`)
	familyRE    = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

// Load parses and validates the built-in policies and those in opts.PolicyDirs.
func Load(opts LoadOptions) (*Catalogue, error) {
	c := &Catalogue{modules: map[string]*ast.Module{}, tests: map[string]*ast.Module{}}
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		src, err := policies.FS.ReadFile(p)
		if err != nil {
			return err
		}
		return c.add("policies/"+p, src, true, opts.Tests)
	})
	if err != nil {
		return nil, err
	}
	for _, dir := range opts.PolicyDirs {
		if err := c.addDir(dir, opts.Tests); err != nil {
			return nil, err
		}
	}
	seen := map[string]*Rule{}
	for _, r := range c.Rules {
		if prev, ok := seen[r.ID]; ok {
			return nil, fmt.Errorf("%w: %s: rule ID %s is already used by %s", ErrPolicy, r.File, r.ID, prev.File)
		}
		seen[r.ID] = r
	}
	sort.Slice(c.Rules, func(i, j int) bool { return c.Rules[i].ID < c.Rules[j].ID })
	return c, nil
}

func (c *Catalogue) addDir(dir string, tests bool) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%w: read policy directory: %w", ErrPolicy, err)
	}
	if !info.IsDir() {
		src, err := os.ReadFile(dir)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrPolicy, err)
		}
		return c.add(dir, src, false, tests)
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%w: %w", ErrPolicy, err)
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrPolicy, err)
		}
		return c.add(p, src, false, tests)
	})
}

func (c *Catalogue) add(file string, src []byte, builtin, tests bool) error {
	isTest := strings.HasSuffix(file, "_test.rego")
	if isTest && !tests {
		return nil
	}
	m, err := ast.ParseModuleWithOpts(file, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPolicy, err)
	}
	pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
	if !builtin && (pkg == "sascan" || strings.HasPrefix(pkg, "sascan.")) {
		return fmt.Errorf("%w: %s:%d: package %s: user policies must not use the sascan package prefix (use e.g. custom.%s)",
			ErrPolicy, file, m.Package.Location.Row, pkg, strings.TrimPrefix(pkg, "sascan."))
	}
	if isTest {
		c.tests[file] = m
		return nil
	}
	c.modules[file] = m
	c.user = c.user || !builtin
	if !definesFindings(m) {
		if builtin && strings.HasPrefix(pkg, "sascan.rules.") {
			return fmt.Errorf("%w: %s: rule package %s has no findings rule", ErrPolicy, file, pkg)
		}
		return nil // a library module
	}
	r, err := decodeRule(file, pkg, m)
	if err != nil {
		return err
	}
	r.Builtin = builtin
	if builtin && !builtinIDRE.MatchString(r.ID) {
		return fmt.Errorf("%w: %s: built-in rule ID %q must look like SA001", ErrPolicy, file, r.ID)
	}
	if !builtin && (builtinIDRE.MatchString(r.ID) || !userIDRE.MatchString(r.ID)) {
		return fmt.Errorf("%w: %s: rule ID %q: user rule IDs are upper-case letters, digits and dashes, and SA### is reserved", ErrPolicy, file, r.ID)
	}
	c.Rules = append(c.Rules, r)
	return nil
}

func definesFindings(m *ast.Module) bool {
	for _, r := range m.Rules {
		if r.Head.Name.String() == "findings" || (len(r.Head.Reference) == 1 && r.Head.Reference[0].Value.String() == "findings") {
			return true
		}
	}
	return false
}

func decodeRule(file, pkg string, m *ast.Module) (*Rule, error) {
	var a *ast.Annotations
	for _, x := range m.Annotations {
		if x.Scope == "package" {
			a = x
		}
	}
	if a == nil {
		return nil, fmt.Errorf("%w: %s:%d: rule package %s has no package METADATA block", ErrPolicy, file, m.Package.Location.Row, pkg)
	}
	at := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s:%d: METADATA: %s", ErrPolicy, file, a.Location.Row, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(a.Title) == "" {
		return nil, at("title is required")
	}
	if strings.TrimSpace(a.Description) == "" {
		return nil, at("description is required")
	}
	cu, err := decodeCustom(a.Custom)
	if err != nil {
		return nil, at("%v", err)
	}
	r := &Rule{
		ID: cu.ID, Title: strings.TrimSpace(a.Title), Description: strings.TrimSpace(a.Description),
		Family: cu.Family, Severity: cu.Severity, Remediation: strings.TrimSpace(cu.Remediation),
		Example: strings.TrimRight(cu.Example, "\n"), Modes: cu.Modes, Package: pkg, File: file,
	}
	for _, rr := range a.RelatedResources {
		if rr.Ref.String() != "" {
			r.References = append(r.References, rr.Ref.String())
		}
	}
	return r, nil
}

func decodeCustom(m map[string]any) (custom, error) {
	var cu custom
	required := []string{"id", "severity", "family", "remediation", "modes"}
	optional := []string{"example"}
	var unknown []string
	for k := range m {
		if !slices.Contains(required, k) && !slices.Contains(optional, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return cu, fmt.Errorf("custom: unknown key(s) %s (allowed: %s)", strings.Join(unknown, ", "), strings.Join(append(required, optional...), ", "))
	}
	for _, k := range required {
		if _, ok := m[k]; !ok {
			return cu, fmt.Errorf("custom.%s is required", k)
		}
	}
	str := func(k string) (string, error) {
		s, ok := m[k].(string)
		if !ok || strings.TrimSpace(s) == "" {
			return "", fmt.Errorf("custom.%s must be a non-empty string", k)
		}
		return s, nil
	}
	var err error
	if cu.ID, err = str("id"); err != nil {
		return cu, err
	}
	sev, err := str("severity")
	if err != nil {
		return cu, err
	}
	if cu.Severity, err = ParseSeverity(sev); err != nil {
		return cu, fmt.Errorf("custom.severity: %w", err)
	}
	if cu.Family, err = str("family"); err != nil {
		return cu, err
	}
	if !familyRE.MatchString(cu.Family) {
		return cu, fmt.Errorf("custom.family %q must be lower-case words joined by dashes", cu.Family)
	}
	if cu.Remediation, err = str("remediation"); err != nil {
		return cu, err
	}
	if _, ok := m["example"]; ok {
		if cu.Example, err = str("example"); err != nil {
			return cu, err
		}
	}
	modes, ok := m["modes"].([]any)
	if !ok || len(modes) == 0 {
		return cu, fmt.Errorf("custom.modes must be a non-empty list of %q and %q", ModeManifest, ModeCluster)
	}
	for _, x := range modes {
		s, _ := x.(string)
		if s != ModeManifest && s != ModeCluster {
			return cu, fmt.Errorf("custom.modes: unknown mode %v (want %q or %q)", x, ModeManifest, ModeCluster)
		}
		cu.Modes = append(cu.Modes, s)
	}
	return cu, nil
}

// Rule returns the rule with an ID, or nil.
func (c *Catalogue) Rule(id string) *Rule {
	for _, r := range c.Rules {
		if strings.EqualFold(r.ID, id) {
			return r
		}
	}
	return nil
}

// Modules returns the parsed policy modules by file name (tests excluded).
func (c *Catalogue) Modules() map[string]*ast.Module { return c.modules }

// TestModules returns the parsed *_test.rego modules when loaded with Tests.
func (c *Catalogue) TestModules() map[string]*ast.Module { return c.tests }
