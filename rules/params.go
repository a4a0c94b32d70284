package rules

import (
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/version"

	"github.com/sascan/sascan/ledger"
)

// KubeVersion is the Kubernetes version rules gate on.
type KubeVersion struct {
	Major, Minor int
	Known        bool // false: assume the latest behaviour
}

// LatestKubeVersion is the newest version whose behaviour rules know.
var LatestKubeVersion = KubeVersion{Major: 1, Minor: 37}

// bootstrapMinor is the minor version whose bootstrap policy applies; 0
// when the version is not known (the newest bundled).
func (v KubeVersion) bootstrapMinor() int {
	if !v.Known {
		return 0
	}
	return v.Minor
}

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
	// Audit is what the audit logs (--audit-log) say about token use;
	// nil when none was given. The input carries it as input.audit.
	Audit *ledger.Ledger
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
		"severities":                   anySlice(severityNames[1:]),
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
