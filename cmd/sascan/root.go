package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// version and commit are set by the linker (-X main.version=...); where
// they are not, buildStamp reads them from the build info.
var (
	version = "dev"
	commit  = "none"
)

// Exit codes (product.md §4).
const (
	exitClean    = 0
	exitFindings = 1
	exitError    = 2
)

type streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// errFindings makes run exit 1 without printing an error.
var errFindings = errors.New("findings at or above --fail-on")

// exitError wraps errors that must exit 2 after the report was written.
type scanIncomplete struct{ n int }

func (e scanIncomplete) Error() string {
	return fmt.Sprintf("%d input error(s): the scan is incomplete", e.n)
}

// programName is "kubectl sascan" when run as a kubectl plugin.
func programName() string {
	if strings.HasPrefix(filepath.Base(os.Args[0]), "kubectl-") {
		return "kubectl sascan"
	}
	return "sascan"
}

func run(ctx context.Context, args []string, s streams) int {
	root := newRootCommand(s)
	root.SetArgs(args)
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	err := root.ExecuteContext(ctx)
	var inc scanIncomplete
	switch {
	case err == nil:
		return exitClean
	case errors.Is(err, errFindings):
		return exitFindings
	case errors.As(err, &inc):
		fmt.Fprintf(s.Err, "%s: %v\n", programName(), err)
		return exitError
	default:
		fmt.Fprintf(s.Err, "%s: %v\n", programName(), err)
		return exitError
	}
}

type globalOptions struct {
	logLevel string
	quiet    bool
	noColor  bool
}

func (g *globalOptions) logger(w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(g.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", g.logLevel)
	}
	if g.quiet && lvl < slog.LevelError {
		lvl = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl, ReplaceAttr: dropTime})), nil
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

func newRootCommand(s streams) *cobra.Command {
	g := &globalOptions{}
	name := programName()
	root := &cobra.Command{
		Use:   name,
		Short: "Audit Kubernetes ServiceAccounts and their tokens",
		Long: `sascan finds long-lived and leaked ServiceAccount tokens, default ServiceAccounts
with RBAC grants, token automounts that workloads do not need, and over-long token
lifetimes, in manifests or a live cluster. Rules are Rego, embedded in the binary.`,
		Example: fmt.Sprintf(`  %[1]s scan ./manifests
  helm template my-release ./chart | %[1]s scan -
  %[1]s scan -o sarif --output-file results.sarif .
  %[1]s rules
  %[1]s explain SA016`, name),
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildStamp().Version,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&g.logLevel, "log-level", "warn", "log level on stderr: debug, info, warn, error")
	pf.BoolVarP(&g.quiet, "quiet", "q", false, "print only errors on stderr")
	pf.BoolVar(&g.noColor, "no-color", false, "never colour the table")
	root.AddCommand(newScanCommand(s, g), newClusterCommand(s, g), newRulesCommand(s), newExplainCommand(s), newVersionCommand(s))
	return root
}
