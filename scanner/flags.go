package scanner

import (
	"fmt"
	"path"
	"strings"
)

// components whose flags rules read.
var components = map[string]bool{
	"kube-apiserver":          true,
	"kube-controller-manager": true,
	"kube-scheduler":          true,
}

// boolFlags are the boolean flags of those components that rules read or
// that commonly appear bare; a bare boolean flag never takes the next token
// as its value (pflag semantics).
var boolFlags = map[string]bool{
	"service-account-lookup":                  true,
	"service-account-extend-token-expiration": true,
	"use-service-account-credentials":         true,
	"allow-privileged":                        true,
	"anonymous-auth":                          true,
	"profiling":                               true,
	"enable-aggregator-routing":               true,
	"enable-bootstrap-token-auth":             true,
	"enable-garbage-collector":                true,
	"enable-priority-and-fairness":            true,
	"enable-hostpath-provisioner":             true,
	"enable-dynamic-provisioning":             true,
	"leader-elect":                            true,
	"allocate-node-cidrs":                     true,
	"configure-cloud-routes":                  true,
	"kubelet-https":                           true,
	"insecure-skip-tls-verify":                true,
	"audit-log-compress":                      true,
	"enable-logs-handler":                     true,
	"requestheader-allow-all-for-forwarded":   true,
}

// controlPlanes finds control-plane containers in a PodSpec and parses
// their flags: command[1:] then args.
func controlPlanes(obj int, specPath string, spec map[string]any) []ControlPlane {
	cs, _ := spec["containers"].([]any)
	var out []ControlPlane
	for i, c := range cs {
		cm, _ := c.(map[string]any)
		cmd := strings_(cm["command"])
		args := strings_(cm["args"])
		name, _ := cm["name"].(string)
		comp := ""
		switch {
		case components[name]:
			comp = name
		case len(cmd) > 0 && components[path.Base(cmd[0].s)]:
			comp = path.Base(cmd[0].s)
		case len(cmd) == 0 && len(args) > 0 && components[path.Base(args[0].s)]:
			comp = path.Base(args[0].s)
		}
		if comp == "" {
			continue
		}
		cpath := fmt.Sprintf("%s.containers[%d]", specPath, i)
		var toks []token
		for j, t := range cmd {
			if j == 0 && !strings.HasPrefix(t.s, "-") {
				continue // the binary
			}
			toks = append(toks, token{t.s, fmt.Sprintf("%s.command[%d]", cpath, t.i)})
		}
		for j, t := range args {
			if j == 0 && len(cmd) == 0 && components[path.Base(t.s)] {
				continue
			}
			toks = append(toks, token{t.s, fmt.Sprintf("%s.args[%d]", cpath, t.i)})
		}
		out = append(out, ControlPlane{Object: obj, Component: comp, Path: cpath, Flags: ParseFlags(toks)})
	}
	return out
}

type token struct {
	s    string
	path string
}

type indexed struct {
	s string
	i int
}

func strings_(v any) []indexed {
	l, _ := v.([]any)
	out := make([]indexed, 0, len(l))
	for i, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, indexed{s, i})
		}
	}
	return out
}

// ParseFlags reads pflag-style tokens: "--name=value", "--name value" for
// non-boolean flags, a bare "--name" (true for booleans). Every occurrence is
// kept, in order, so callers can apply last-wins or accumulate. Tokens that
// are not flags (positional arguments) are ignored. A shell line passed as a
// single token ("kube-apiserver --a=1 --b") is split on white space.
func ParseFlags(toks []token) map[string][]Flag {
	var split []token
	for _, t := range toks {
		if strings.ContainsAny(strings.TrimSpace(t.s), " \t\n") && strings.Contains(t.s, "--") {
			for _, f := range strings.Fields(t.s) {
				split = append(split, token{f, t.path})
			}
			continue
		}
		split = append(split, t)
	}
	flags := map[string][]Flag{}
	for i := 0; i < len(split); i++ {
		t := split[i]
		s := strings.TrimSpace(t.s)
		if !strings.HasPrefix(s, "-") || s == "-" || s == "--" {
			continue
		}
		s = strings.TrimLeft(s, "-")
		if name, val, ok := strings.Cut(s, "="); ok {
			flags[name] = append(flags[name], Flag{Value: val, Path: t.path})
			continue
		}
		if !boolFlags[s] && i+1 < len(split) && !strings.HasPrefix(strings.TrimSpace(split[i+1].s), "-") {
			flags[s] = append(flags[s], Flag{Value: split[i+1].s, Path: t.path})
			i++
			continue
		}
		flags[s] = append(flags[s], Flag{Value: "true", Bare: true, Path: t.path})
	}
	return flags
}
