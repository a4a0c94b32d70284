package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func opaVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/open-policy-agent/opa" {
				return d.Version
			}
		}
	}
	return "unknown"
}

// stamp is the version and commit a binary reports: in `sascan version`,
// -v/--version and every report.
type stamp struct {
	Version string
	Commit  string
}

// buildStamp returns the version and commit the linker set
// (-X main.version=... -X main.commit=..., as make build and the release
// do) and, for what it left unset, what the go command recorded in the
// binary.
func buildStamp() stamp {
	bi, _ := debug.ReadBuildInfo()
	return deriveStamp(version, commit, bi)
}

// pseudoRevision matches the commit at the end of a module pseudo-version
// (v0.0.0-20260101120000-0123456789ab, v1.2.4-0.20260101120000-0123456789ab).
var pseudoRevision = regexp.MustCompile(`[-.]\d{14}-([0-9a-f]{12})(\+.*)?$`)

// deriveStamp fills what the linker did not set ("dev", "none") from the
// build info: `go install module@version` records the module version (a
// pseudo-version carries the commit), a build inside a git checkout records
// vcs.revision and vcs.modified (and, since Go 1.24, a module version
// derived from them). "(devel)" is no version.
func deriveStamp(ldVersion, ldCommit string, bi *debug.BuildInfo) stamp {
	s := stamp{Version: ldVersion, Commit: ldCommit}
	if bi == nil {
		return s
	}
	if s.Version == "dev" || s.Version == "" {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			s.Version = v
		}
	}
	if s.Commit != "none" && s.Commit != "" {
		return s
	}
	var revision string
	modified := false
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			revision = kv.Value
		case "vcs.modified":
			modified = kv.Value == "true"
		}
	}
	if revision == "" {
		if m := pseudoRevision.FindStringSubmatch(bi.Main.Version); m != nil {
			revision = m[1]
		}
	}
	if revision == "" {
		return s
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if modified {
		revision += "-dirty"
	}
	s.Commit = revision
	return s
}

func newVersionCommand(s streams) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Example: fmt.Sprintf("  %[1]s version\n  %[1]s version -o json", programName()),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st := buildStamp()
			info := map[string]string{"version": st.Version, "commit": st.Commit, "go": runtime.Version(), "opa": opaVersion()}
			switch output {
			case "json":
				enc := json.NewEncoder(s.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			case "", "text":
				_, err := fmt.Fprintf(s.Out, "sascan %s (commit %s, %s, OPA %s)\n", st.Version, st.Commit, info["go"], info["opa"])
				return err
			}
			return fmt.Errorf("--output: unknown format %q (want text or json)", output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}
