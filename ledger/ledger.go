// Package ledger reads kube-apiserver audit logs (audit.k8s.io/v1 Event,
// JSON lines) and keeps the token ledger: per ServiceAccount, per legacy
// token Secret and per bound-token claim, bounded summaries of what was
// used in the log's window (counts, first and last use, capped source IPs
// and user agents, the distinct requests each account made). It reads a
// log as a stream: memory grows with the number of accounts and distinct
// requests, never with the log's length. Request and response bodies are
// never decoded, and no token, header or Secret value is kept.
package ledger

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Caps bound what one summary keeps; past them a summary counts what it
// left out.
const (
	// MaxSamples is how many distinct source IPs and user agents a usage
	// summary names.
	MaxSamples = 10
	// MaxRequests is how many distinct requests an account's summary keeps.
	MaxRequests = 4096
	// MaxNames is how many object names one account keeps for one verb and
	// resource: a controller that creates generated names would otherwise
	// fill MaxRequests in hours.
	MaxNames = 16
	// MaxClaims is how many distinct bound-token claims (pod, node) an
	// account's summary keeps.
	MaxClaims = 256
	// MaxAccounts is how many ServiceAccounts, and how many Secrets, a
	// ledger keeps.
	MaxAccounts = 200_000
	// MaxLineErrors is how many unparsed lines a ledger names (all are
	// counted).
	MaxLineErrors = 20
	// MaxLineBytes is the longest line read; a longer one is skipped and
	// counted as unparsed (an event at level RequestResponse with a large
	// body).
	MaxLineBytes = 16 << 20
	// maxUserAgent is how much of a user agent is kept.
	maxUserAgent = 200
)

// ErrNoEvents is returned when no line of the audit log is an event.
var ErrNoEvents = errors.New("no audit event")

// Ledger is what the audit logs say about ServiceAccount tokens.
type Ledger struct {
	// Sources are the files read, in order ("-" for stdin).
	Sources []string
	// Lines is the number of non-empty lines read, Events those that are
	// audit events, Counted the events counted as requests (one per
	// request: see Add).
	Lines, Events, Counted int64
	// Unparsed counts lines that are not audit events; LineErrors names
	// the first MaxLineErrors of them.
	Unparsed   int64
	LineErrors []LineError
	// First and Last are the earliest and latest event times: the window
	// the log covers.
	First, Last time.Time
	// Evidence says which kinds of evidence the log carries at all: a
	// verdict drawn from the absence of an annotation needs the log to
	// carry that annotation elsewhere.
	Evidence Evidence
	// Accounts are keyed "namespace/name".
	Accounts map[string]*Account
	// Secrets are the legacy token Secrets requests authenticated with,
	// keyed "namespace/name", from the legacy-token-*-secret annotations.
	Secrets map[string]*Secret
	// Invalidated are the invalidated legacy token Secrets someone still
	// presented (the request was refused), keyed "namespace/name".
	Invalidated map[string]*Usage
	// DroppedAccounts counts events of accounts past MaxAccounts.
	DroppedAccounts int64

	started map[string]bool // auditIDs of long-running requests seen at ResponseStarted
}

// Evidence records which annotations and claims the log holds.
type Evidence struct {
	// LegacyTokens: some event carries authentication.k8s.io/legacy-token
	// (the API server annotates legacy-token use: 1.28 and later).
	LegacyTokens bool
	// LegacySecrets: some event names the Secret of a legacy token.
	LegacySecrets bool
	// StaleTokens: some event carries authentication.k8s.io/stale-token.
	StaleTokens bool
	// BoundClaims: some event carries a bound token's pod or node claims
	// in user.extra.
	BoundClaims bool
	// CredentialIDs: some event carries a credential ID in user.extra.
	CredentialIDs bool
}

// LineError is a line that is not an audit event.
type LineError struct {
	File    string
	Line    int64
	Message string
}

func (e LineError) Error() string {
	return e.File + ":" + strconv.FormatInt(e.Line, 10) + ": " + e.Message
}

// Usage summarizes uses: how many, when, from where and by which client.
type Usage struct {
	Count       int64
	First, Last time.Time
	// SourceIPs and UserAgents are the first MaxSamples distinct values
	// (sorted by Finish); MoreSourceIPs and MoreUserAgents count the uses
	// whose value was not kept.
	SourceIPs, UserAgents         []string
	MoreSourceIPs, MoreUserAgents int64
}

// Tally counts uses and when they happened.
type Tally struct {
	Count       int64
	First, Last time.Time
}

// Account is one ServiceAccount's use of its tokens.
type Account struct {
	Namespace, Name string
	// Usage counts every authenticated request of the account.
	Usage
	// Denied counts the requests RBAC (or another authorizer) refused.
	Denied int64
	// Legacy counts the requests made with a legacy (Secret-based) token.
	Legacy Usage
	// Stale counts the requests made with a bound token past its
	// warnafter time (a client that does not reload its projected token).
	Stale Usage
	// Requests are the allowed requests by what they asked for, at most
	// MaxRequests, and at most MaxNames object names for one verb and
	// resource (the others are kept without their name); DroppedRequests
	// counts the requests not kept as they were.
	Requests        map[Request]*Tally
	DroppedRequests int64
	names           map[Request]int // distinct names kept per request without its name
	// Claims are the bound-token claims the requests carried (pod, node),
	// at most MaxClaims; DroppedClaims counts the others.
	Claims        map[Claim]*ClaimUse
	DroppedClaims int64
}

// ClaimUse is the use of one bound token claim set: how often, when, from
// where and by which client.
type ClaimUse struct {
	Usage
	Stale Tally // requests with a stale token
}

// Secret is one legacy token Secret's use.
type Secret struct {
	Namespace, Name string
	ServiceAccount  string // the name of the account the token authenticated as
	// AutoGenerated: the API server annotated the use as an auto-generated
	// Secret (the ServiceAccount lists it in .secrets).
	AutoGenerated bool
	Usage
}

// Request is what an allowed request asked for, as RBAC sees it. A
// non-resource request has Path and Verb only.
type Request struct {
	Verb, Group, Resource, Subresource, Namespace, Name string
	Path                                                string
}

// Claim is the pod and node a bound token was issued for.
type Claim struct {
	Pod, PodUID, Node string
}

// New returns an empty ledger.
func New() *Ledger {
	return &Ledger{
		Accounts:    map[string]*Account{},
		Secrets:     map[string]*Secret{},
		Invalidated: map[string]*Usage{},
		started:     map[string]bool{},
	}
}

func (u *Usage) add(t time.Time, ips []string, agent string) {
	u.Count++
	if u.First.IsZero() || t.Before(u.First) {
		u.First = t
	}
	if t.After(u.Last) {
		u.Last = t
	}
	for _, ip := range ips {
		u.SourceIPs, u.MoreSourceIPs = sample(u.SourceIPs, u.MoreSourceIPs, Scrub(ip))
	}
	if agent != "" {
		if len(agent) > maxUserAgent {
			agent = agent[:maxUserAgent]
		}
		u.UserAgents, u.MoreUserAgents = sample(u.UserAgents, u.MoreUserAgents, Scrub(agent))
	}
}

func sample(list []string, more int64, v string) ([]string, int64) {
	for _, x := range list {
		if x == v {
			return list, more
		}
	}
	if len(list) >= MaxSamples {
		return list, more + 1
	}
	return append(list, v), more
}

func (t *Tally) add(at time.Time) {
	t.Count++
	if t.First.IsZero() || at.Before(t.First) {
		t.First = at
	}
	if at.After(t.Last) {
		t.Last = at
	}
}

// Finish sorts the samples, so that a ledger does not depend on the order
// its logs were read in.
func (l *Ledger) Finish() {
	for _, a := range l.Accounts {
		a.Usage.sort()
		a.Legacy.sort()
		a.Stale.sort()
		for _, cu := range a.Claims {
			cu.sort()
		}
	}
	for _, s := range l.Secrets {
		s.Usage.sort()
	}
	for _, u := range l.Invalidated {
		u.sort()
	}
	l.started = map[string]bool{}
}

func (u *Usage) sort() {
	sort.Strings(u.SourceIPs)
	sort.Strings(u.UserAgents)
}

// SortedRequests returns an account's requests in a stable order.
func (a *Account) SortedRequests() []Request {
	out := make([]Request, 0, len(a.Requests))
	for r := range a.Requests {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].less(out[j]) })
	return out
}

func (r Request) less(o Request) bool {
	a := []string{r.Namespace, r.Group, r.Resource, r.Subresource, r.Name, r.Path, r.Verb}
	b := []string{o.Namespace, o.Group, o.Resource, o.Subresource, o.Name, o.Path, o.Verb}
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// SortedClaims returns an account's claims in a stable order.
func (a *Account) SortedClaims() []Claim {
	out := make([]Claim, 0, len(a.Claims))
	for c := range a.Claims {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x.Pod != y.Pod {
			return x.Pod < y.Pod
		}
		if x.PodUID != y.PodUID {
			return x.PodUID < y.PodUID
		}
		return x.Node < y.Node
	})
	return out
}

// Scrub removes what could authenticate from a string the log supplied:
// a JWT (three base64url segments, the first starting with eyJ) and
// whatever follows "Bearer " are replaced by [redacted].
func Scrub(s string) string {
	if !strings.Contains(s, "eyJ") && !strings.Contains(strings.ToLower(s), "bearer") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if lower := strings.ToLower(s[i:]); strings.HasPrefix(lower, "bearer ") {
			b.WriteString(s[i : i+7])
			b.WriteString("[redacted]")
			i += 7
			for i < len(s) && s[i] != ' ' && s[i] != ',' && s[i] != ';' && s[i] != '"' {
				i++
			}
			continue
		}
		if strings.HasPrefix(s[i:], "eyJ") {
			j := i
			for j < len(s) && (isB64URL(s[j]) || s[j] == '.') {
				j++
			}
			if strings.Count(s[i:j], ".") >= 1 {
				b.WriteString("[redacted]")
				i = j
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isB64URL(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '=' || c == '+' || c == '/'
}
