package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sascan/sascan/access"
	"github.com/sascan/sascan/ledger"
	"github.com/sascan/sascan/report"
	"github.com/sascan/sascan/rules"
	"github.com/sascan/sascan/scanner"
)

// commonOptions are the flags scan and cluster share.
type commonOptions struct {
	outputs       []string
	outputFile    string
	failOn        string
	minSeverity   string
	enable        []string
	disable       []string
	policyDirs    []string
	configFile    string
	kubeVersion   string
	baseline      string
	writeBaseline string
	now           string
	auditLogs     []string
}

func (c *commonOptions) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVarP(&c.outputs, "output", "o", []string{"table"}, "report format: table, json, sarif or html, optionally =FILE (repeatable: -o table -o sarif=results.sarif -o html=report.html)")
	f.StringVar(&c.outputFile, "output-file", "", "write the report to FILE instead of stdout")
	f.StringVar(&c.failOn, "fail-on", "", "exit 1 when an unsuppressed finding is at or above: none, info, low, medium, high, critical (default high)")
	f.StringVar(&c.minSeverity, "min-severity", "", "do not report findings below this severity")
	f.StringSliceVar(&c.enable, "enable", nil, "run only these rule IDs (comma-separated)")
	f.StringSliceVar(&c.disable, "disable", nil, "do not run these rule IDs (comma-separated)")
	f.StringArrayVarP(&c.policyDirs, "policy", "p", nil, "directory or file of extra Rego policies (repeatable)")
	f.StringVar(&c.configFile, "config", "", "config file (default .sascan.yaml in the working directory, if present)")
	f.StringVar(&c.kubeVersion, "kube-version", "", "target Kubernetes version for version-gated rules, e.g. 1.34 (default: latest behaviour)")
	f.StringVar(&c.baseline, "baseline", "", "JSON report of a previous scan: findings in it are marked suppressed")
	f.StringVar(&c.writeBaseline, "write-baseline", "", "write this scan's JSON report to FILE for use with --baseline")
	f.StringArrayVar(&c.auditLogs, "audit-log", nil, "kube-apiserver audit log (JSON lines; plain or gzip, a folder of rotated logs, or - for stdin) for the verdicts drawn from token use (repeatable)")
	f.StringVar(&c.now, "now", "", "evaluate as of this RFC 3339 time (for reproducible reports)")
	_ = f.MarkHidden("now")
}

type scanOptions struct {
	common           commonOptions
	defaultNamespace string
	sarifRoot        string
	maxFileSize      int64
	maxObjects       int
	kustomize        []string
	corpusComplete   bool
	global           *globalOptions
	streams          streams
}

func newScanCommand(s streams, g *globalOptions) *cobra.Command {
	o := &scanOptions{global: g, streams: s}
	cmd := &cobra.Command{
		Use:   "scan [PATH|-]... [-k DIR]...",
		Short: "Scan manifests: files, folders (recursively) or - for stdin",
		Long: `Scan Kubernetes manifests (YAML or JSON, multi-document, List kinds, Helm and
Kustomize output). Folders are read recursively (.yaml, .yml, .json); "-" reads stdin.
-k DIR builds a kustomization in process (no kustomize binary needed); findings
point at the resource file and line that define each object.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
2 the scan could not be done (bad flag or config, unreadable or invalid file,
empty stdin, policy error). Bad files are reported with file and line; the
others are still scanned and rendered. Input with no Kubernetes object is
a warning, not an error.`,
		Example: fmt.Sprintf(`  %[1]s scan deploy/
  %[1]s scan -o json --fail-on medium k8s/*.yaml
  helm template my-release ./chart | %[1]s scan -
  %[1]s scan -k overlays/prod
  %[1]s scan -o sarif --output-file sascan.sarif .
  %[1]s scan -o table -o html=report.html deploy/
  %[1]s scan --audit-log audit.log.gz deploy/    # verdicts from token use (SA035-SA040)`, programName()),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && len(o.kustomize) == 0 {
				return fmt.Errorf("requires at least 1 arg(s), only received 0 (a path, - for stdin, or -k DIR)")
			}
			return o.run(cmd.Context(), args)
		},
	}
	o.common.bind(cmd)
	cmd.Flags().StringVar(&o.defaultNamespace, "default-namespace", "", "namespace for namespaced objects without one (default \"default\")")
	cmd.Flags().StringVar(&o.sarifRoot, "sarif-root", "", "directory SARIF URIs are relative to (default: the working directory)")
	cmd.Flags().Int64Var(&o.maxFileSize, "max-file-size", scanner.DefaultMaxFileSize, "largest manifest file read, in bytes")
	cmd.Flags().IntVar(&o.maxObjects, "max-objects", defaultMaxObjects, "most Kubernetes objects one scan evaluates (bounds memory; 0: no limit)")
	cmd.Flags().StringArrayVarP(&o.kustomize, "kustomize", "k", nil, "build the kustomization in DIR and scan its output (repeatable)")
	cmd.Flags().BoolVar(&o.corpusComplete, "corpus-complete", false, "the manifests hold the whole cluster: report subjects and roles that are missing from them")
	return cmd
}

// settings is what the flags and the config file resolve to.
type settings struct {
	outputs     []output
	failOn      rules.Severity // invalid means none
	minSeverity rules.Severity
	config      *rules.Config
	rules       []*rules.Rule
	engine      *pendingEngine
	params      rules.Params
	audit       *report.Audit // what --audit-log held
	baseline    report.Baseline
	log         *slog.Logger
}

func (c *commonOptions) resolve(ctx context.Context, mode string, g *globalOptions, errw io.Writer) (*settings, error) {
	log, err := g.logger(errw)
	if err != nil {
		return nil, err
	}
	st := &settings{log: log}
	if st.outputs, err = parseOutputs(c.outputs, c.outputFile); err != nil {
		return nil, err
	}
	if st.config, err = loadConfig(c.configFile); err != nil {
		return nil, err
	}
	if st.failOn, err = rules.ParseThreshold(cmp.Or(c.failOn, st.config.FailOn, "high")); err != nil {
		return nil, fmt.Errorf("--fail-on: %w", err)
	}
	if min := cmp.Or(c.minSeverity, st.config.MinSeverity); min != "" {
		if st.minSeverity, err = rules.ParseThreshold(min); err != nil {
			return nil, fmt.Errorf("--min-severity: %w", err)
		}
	}
	cat, err := rules.Load(rules.LoadOptions{PolicyDirs: c.policyDirs})
	if err != nil {
		return nil, err
	}
	enable := c.enable
	if len(enable) == 0 {
		enable = st.config.Enable
	}
	if st.rules, err = rules.Select(cat, mode, enable, append(append([]string(nil), c.disable...), st.config.Disable...)); err != nil {
		return nil, err
	}
	st.engine = startEngine(ctx, cat, st.rules)
	st.params = rules.Params{Now: time.Now().UTC(), Settings: st.config.Settings, DefaultNamespace: st.config.DefaultNamespace}
	if c.now != "" {
		t, err := time.Parse(time.RFC3339, c.now)
		if err != nil {
			return nil, fmt.Errorf("--now: %w", err)
		}
		st.params.Now = t
	}
	if kv := cmp.Or(c.kubeVersion, st.config.KubeVersion); kv != "" {
		if st.params.KubeVersion, err = rules.ParseKubeVersion(kv); err != nil {
			return nil, fmt.Errorf("--kube-version: %w", err)
		}
	}
	if c.baseline != "" {
		if st.baseline, err = readBaseline(c.baseline); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// readAudit reads the --audit-log logs into the ledger the rules read
// (st.params.Audit), warning about each line that is not an event.
func (c *commonOptions) readAudit(ctx context.Context, st *settings, stdin io.Reader) error {
	if len(c.auditLogs) == 0 {
		return nil
	}
	l, err := readLedger(ctx, c.auditLogs, stdin, st.log)
	if err != nil {
		return err
	}
	st.params.Audit = l
	st.audit = report.AuditOf(l)
	return nil
}

// readLedger reads audit logs; lines that are not events are warnings
// (the first ledger.MaxLineErrors named, the others counted).
func readLedger(ctx context.Context, paths []string, stdin io.Reader, log *slog.Logger) (*ledger.Ledger, error) {
	l, err := ledger.Read(ctx, paths, ledger.Options{Stdin: stdin})
	if err != nil {
		return nil, err
	}
	for _, e := range l.LineErrors {
		log.Warn("audit log line not parsed", "file", e.File, "line", e.Line, "reason", e.Message)
	}
	if more := l.Unparsed - int64(len(l.LineErrors)); more > 0 {
		log.Warn("more audit log lines not parsed", "count", more)
	}
	log.Debug("read audit logs", "events", l.Events, "first", l.First, "last", l.Last, "serviceAccounts", len(l.Accounts))
	return l, nil
}

// readBaseline reads the --baseline file.
func readBaseline(name string) (report.Baseline, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read baseline %s: %w", name, ioCause(err))
	}
	defer f.Close()
	b, err := report.ReadBaseline(f)
	if err != nil {
		return nil, fmt.Errorf("read baseline %s: %w", name, err)
	}
	return b, nil
}

// pendingEngine is the rule engine being compiled and prepared in the
// background while the inventory loads (a few hundred milliseconds of CPU
// that would otherwise come before the first file read or list request).
type pendingEngine struct {
	done   chan struct{}
	engine *rules.Engine
	err    error
}

func startEngine(ctx context.Context, cat *rules.Catalogue, enabled []*rules.Rule) *pendingEngine {
	p := &pendingEngine{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.engine, p.err = rules.NewEngine(ctx, cat, enabled)
	}()
	return p
}

func (p *pendingEngine) wait(ctx context.Context) (*rules.Engine, error) {
	select {
	case <-p.done:
		return p.engine, p.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// suppressAndFilter applies severity overrides and suppressions, then
// drops what is below --min-severity. baseline is the part of the
// baseline that applies (report.Baseline).
func (st *settings) suppressAndFilter(findings []rules.Finding, inv *scanner.Inventory, baseline map[string]bool) []rules.Finding {
	findings = rules.Adjust(findings, inv, rules.SuppressOptions{
		Config: st.config, Baseline: baseline, Now: st.params.Now,
		Warn: func(msg string) { st.log.Warn(msg) },
	})
	return rules.Filter(findings, st.minSeverity)
}

func loadConfig(name string) (*rules.Config, error) {
	explicit := name != ""
	if !explicit {
		name = ".sascan.yaml"
	}
	f, err := os.Open(name)
	if err != nil {
		if !explicit && errors.Is(err, os.ErrNotExist) {
			return rules.DefaultConfig(), nil
		}
		return nil, fmt.Errorf("%w: %w", rules.ErrConfig, err)
	}
	defer f.Close()
	return rules.ParseConfig(name, f)
}

// defaultMaxObjects bounds what one manifest scan evaluates, so that an
// input of millions of tiny documents ends with an error instead of
// exhausting memory (README, Limits and guarantees).
const defaultMaxObjects = 250_000

func (o *scanOptions) run(ctx context.Context, paths []string) error {
	tuneGC()
	st, err := o.common.resolve(ctx, rules.ModeManifest, o.global, o.streams.Err)
	if err != nil {
		return err
	}
	root, err := sarifRoot(o.sarifRoot)
	if err != nil {
		return err
	}
	if slices.Contains(o.common.auditLogs, "-") && slices.Contains(paths, "-") {
		return fmt.Errorf("--audit-log - and the path - both read stdin: give one of them a file")
	}
	if err := o.common.readAudit(ctx, st, o.streams.In); err != nil {
		return err
	}
	start := time.Now()
	m, err := loadManifests(ctx, paths, o.kustomize, scanner.LoadOptions{Stdin: o.streams.In, MaxFileSize: o.maxFileSize})
	if err != nil {
		return err
	}
	for _, e := range m.Errors {
		fmt.Fprintf(o.streams.Err, "%s: error: %v\n", programName(), e)
	}
	if st.log.Enabled(ctx, slog.LevelWarn) {
		for _, w := range m.Warnings {
			fmt.Fprintf(o.streams.Err, "%s: warning: %v\n", programName(), w)
		}
		// Errors say why themselves; a scan of nothing must not pass for a
		// clean one without a word. The exit code stays: pre-commit on
		// YAML that is not Kubernetes keeps passing.
		if len(m.Objects) == 0 && len(m.Errors) == 0 {
			fmt.Fprintf(o.streams.Err, "%s: warning: %s\n", programName(), noObjects(m))
		}
	}
	if o.maxObjects > 0 && len(m.Objects) > o.maxObjects {
		return fmt.Errorf("the input holds %d Kubernetes objects, more than --max-objects %d: scan it in parts or raise the limit", len(m.Objects), o.maxObjects)
	}
	st.log.Debug("loaded manifests", "files", m.Files, "documents", m.Documents, "objects", len(m.Objects), "skipped", m.Skipped, "took", time.Since(start).Round(time.Millisecond))
	ns := cmp.Or(o.defaultNamespace, st.config.DefaultNamespace, "default")
	st.params.DefaultNamespace = ns
	st.params.CorpusComplete = o.corpusComplete
	inv := scanner.Build(m.Objects, scanner.BuildOptions{Mode: scanner.ModeManifest, DefaultNamespace: ns, Builtins: true, KubeMinor: st.params.KubeVersion.Minor})
	// The inventory holds the objects now: the loader's list would keep
	// every raw object alive after the rules' input is built (ReleaseRaw).
	m.Objects = nil
	model := rules.NewModel(inv, st.params)
	hint := namespaceHint(inv, model, ns)
	start = time.Now()
	engine, err := st.engine.wait(ctx)
	if err != nil {
		return err
	}
	findings, err := engine.Evaluate(ctx, inv, st.params, rules.EvalOptions{ReleaseRaw: true, Model: model})
	if err != nil {
		return err
	}
	st.log.Debug("evaluated rules", "rules", len(st.rules), "findings", len(findings), "took", time.Since(start).Round(time.Millisecond))
	findings = st.suppressAndFilter(findings, inv, st.baseline.All())
	r := &report.Report{
		Tool:      report.Tool{Name: "sascan", Version: buildStamp().Version},
		Source:    report.Source{Mode: rules.ModeManifest, Paths: append(append([]string(nil), paths...), o.kustomize...)},
		Objects:   observedObjects(inv),
		Findings:  findings,
		Rules:     st.rules,
		SarifRoot: root,
		Audit:     st.audit,
	}
	for _, e := range m.Errors {
		r.Errors = append(r.Errors, report.Error{File: e.File, Line: e.Line, Message: e.Message})
	}
	if hint != "" {
		r.Hints = append(r.Hints, hint)
		st.log.Warn(hint)
	}
	if err := o.common.write(r, st, o.global, o.streams.Out); err != nil {
		return err
	}
	if len(m.Errors) > 0 {
		return scanIncomplete{len(m.Errors)}
	}
	if rules.FailsAt(findings, st.failOn) {
		return errFindings
	}
	return nil
}

// noObjects says what a scan that read no Kubernetes object did read.
func noObjects(m *scanner.Manifests) string {
	if m.Files == 0 {
		return "no Kubernetes object scanned: no .yaml, .yml or .json file in the input"
	}
	return fmt.Sprintf("no Kubernetes object scanned (files read: %d, YAML documents: %d; an object needs apiVersion and kind)", m.Files, m.Documents)
}

// namespaceHint: manifests meant for `kubectl apply -n NS` leave their
// objects without a namespace, so the scan puts them in the default one
// while their bindings name NS. When binding subjects name ServiceAccounts
// NS/x that are missing and defaultNS/x was defined without a namespace,
// it says which --default-namespace resolves them (the most such
// subjects); "" when none do.
func namespaceHint(inv *scanner.Inventory, m *access.Model, defaultNS string) string {
	declared := map[string]bool{}
	defaulted := map[string]bool{}
	for _, o := range inv.Objects {
		if o.Kind != "ServiceAccount" || o.Group != "" || o.Origin != scanner.OriginManifest {
			continue
		}
		declared[o.Namespace+"/"+o.Name] = true
		if md, _ := o.Raw["metadata"].(map[string]any); md["namespace"] == nil && o.Namespace == defaultNS {
			defaulted[o.Name] = true
		}
	}
	count := map[string]int{}
	for _, b := range m.Bindings {
		for _, s := range b.Subjects {
			ns, name, _ := strings.Cut(s.ServiceAccount, "/")
			if s.Kind == "ServiceAccount" && ns != "" && ns != defaultNS && !declared[s.ServiceAccount] && defaulted[name] {
				count[ns]++
			}
		}
	}
	best := ""
	for ns, n := range count {
		if best == "" || n > count[best] || (n == count[best] && ns < best) {
			best = ns
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("%d binding subject(s) name ServiceAccounts in namespace %q that the manifests define without a namespace (scanned in %q); if they are applied with kubectl apply -n %s, scan with --default-namespace %s", count[best], best, defaultNS, best, best)
}

// loadManifests reads the paths (and stdin for "-") and builds each
// kustomization into one set of manifests.
func loadManifests(ctx context.Context, paths, kustomize []string, lopts scanner.LoadOptions) (*scanner.Manifests, error) {
	m, err := scanner.LoadManifests(ctx, paths, lopts)
	if err != nil {
		return nil, err
	}
	for _, dir := range kustomize {
		km, err := scanner.LoadKustomization(ctx, dir, lopts)
		if err != nil {
			return nil, err
		}
		m.Add(km)
	}
	return m, nil
}

func observedObjects(inv *scanner.Inventory) int {
	n := 0
	for _, o := range inv.Objects {
		if o.Origin == scanner.OriginManifest || o.Origin == scanner.OriginCluster {
			n++
		}
	}
	return n
}

// sarifRoot is the absolute folder SARIF URIs are relative to: --sarif-root,
// which must be an existing folder, or the working directory.
func sarifRoot(flag string) (string, error) {
	if flag == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("get the working directory: %w", err)
		}
		return wd, nil
	}
	info, err := os.Stat(flag)
	if err != nil {
		return "", fmt.Errorf("--sarif-root %s: %w", flag, ioCause(err))
	}
	if !info.IsDir() {
		return "", fmt.Errorf("--sarif-root %s: not a directory", flag)
	}
	return filepath.Abs(flag)
}

// output is one report to write: a format and a file ("" for stdout).
type output struct {
	format report.Format
	file   string
}

// parseOutputs reads the -o values (format or format=file). --output-file
// names the file of a single format given without one. At most one report
// goes to stdout.
func parseOutputs(values []string, outputFile string) ([]output, error) {
	var outs []output
	stdout := 0
	for _, v := range values {
		name, file, _ := strings.Cut(v, "=")
		f, err := report.ParseFormat(name)
		if err != nil {
			return nil, fmt.Errorf("--output: %w", err)
		}
		if file == "" && outputFile != "" && len(values) == 1 {
			file = outputFile
		}
		if file == "" {
			stdout++
		}
		outs = append(outs, output{format: f, file: file})
	}
	if stdout > 1 {
		return nil, fmt.Errorf("--output: only one report can go to stdout; give the others a file (-o sarif=results.sarif)")
	}
	if outputFile != "" && len(values) > 1 {
		return nil, fmt.Errorf("--output-file works with a single -o; use -o FORMAT=FILE for several reports")
	}
	return outs, nil
}

// write renders every requested report, and the baseline.
func (c *commonOptions) write(r *report.Report, st *settings, g *globalOptions, stdout io.Writer) error {
	r.Warn = func(msg string) { st.log.Warn(msg) }
	if c.writeBaseline != "" {
		if err := writeFile(c.writeBaseline, func(w io.Writer) error { return report.JSON(w, r) }); err != nil {
			return fmt.Errorf("write baseline to %s: %w", c.writeBaseline, err)
		}
	}
	for _, o := range st.outputs {
		if o.file != "" {
			rr := *r
			rr.Color = false
			if err := writeFile(o.file, func(w io.Writer) error { return report.Render(w, o.format, &rr) }); err != nil {
				return fmt.Errorf("write %s report to %s: %w", o.format, o.file, err)
			}
			continue
		}
		rr := *r
		rr.Color = o.format == report.FormatTable && !g.noColor && isTerminal(stdout)
		rr.Width = terminalWidth(stdout)
		if err := report.Render(stdout, o.format, &rr); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes a report to the file name. A regular file is written
// whole or not at all: through a temporary file in the same folder, renamed
// over name once complete. A new file gets mode 0644 less the umask, as
// files other commands write; an existing one keeps its mode. A device or
// pipe (/dev/stdout, a FIFO) is written in place. Errors are the cause
// alone (the caller names name), never the temporary file.
func writeFile(name string, render func(io.Writer) error) error {
	perm := fs.FileMode(0o644)
	if info, err := os.Stat(name); err == nil {
		switch {
		case info.IsDir():
			return errors.New("is a directory")
		case !info.Mode().IsRegular():
			f, err := os.OpenFile(name, os.O_WRONLY, 0)
			if err != nil {
				return ioCause(err)
			}
			if err := render(f); err != nil {
				f.Close()
				return ioCause(err)
			}
			return ioCause(f.Close())
		}
		perm = info.Mode().Perm()
	}
	tmp, err := createTemp(filepath.Dir(name), perm)
	if err != nil {
		return ioCause(err)
	}
	defer os.Remove(tmp.Name())
	if err := render(tmp); err != nil {
		tmp.Close()
		return ioCause(err)
	}
	if err := tmp.Close(); err != nil {
		return ioCause(err)
	}
	// OpenFile applied the umask; an existing file's mode is kept as it was.
	if _, err := os.Stat(name); err == nil {
		if err := os.Chmod(tmp.Name(), perm); err != nil {
			return ioCause(err)
		}
	}
	return ioCause(os.Rename(tmp.Name(), name))
}

// createTemp creates a new file in dir with mode perm less the umask
// (os.CreateTemp always uses 0600).
func createTemp(dir string, perm fs.FileMode) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, fmt.Sprintf(".sascan-%016x.tmp", rand.Uint64()))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("cannot create a temporary file")
}

// ioCause strips the file name from err (a *fs.PathError or *os.LinkError
// about a temporary file), leaving what went wrong.
func ioCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// terminalWidth is the number of columns of the terminal w writes to, or
// 0 when w is not a terminal (a pipe or file gets the table at full width).
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return cols
}

func isTerminal(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}
