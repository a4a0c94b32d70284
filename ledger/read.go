package ledger

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Options tell Read where stdin is.
type Options struct {
	Stdin io.Reader
}

// StdinName is the name "-" reads, in errors.
const StdinName = "<stdin>"

// Read streams the audit logs at paths into one ledger: files, plain or
// gzip (by their first bytes, whatever their names), folders (every
// regular file in them, sorted by name, as kube-apiserver's rotated logs
// are), and "-" for stdin. A line that is not an audit event is counted
// and named (LineErrors); Read fails only when a path cannot be read or
// when no line at all is an event (ErrNoEvents).
func Read(ctx context.Context, paths []string, opts Options) (*Ledger, error) {
	l := New()
	for _, p := range paths {
		if p == "-" {
			if opts.Stdin == nil {
				return nil, fmt.Errorf("read audit log %s: no stdin", StdinName)
			}
			if err := l.ReadFrom(ctx, StdinName, opts.Stdin); err != nil {
				return nil, err
			}
			continue
		}
		files, err := expand(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if err := l.readFile(ctx, f); err != nil {
				return nil, err
			}
		}
	}
	if l.Events == 0 {
		if l.Unparsed > 0 {
			return nil, fmt.Errorf("read audit log %s: %w: %d lines, none parsed (first: %v)", strings.Join(l.Sources, ", "), ErrNoEvents, l.Unparsed, l.LineErrors[0])
		}
		return nil, fmt.Errorf("read audit log %s: %w: the log is empty", strings.Join(l.Sources, ", "), ErrNoEvents)
	}
	l.Finish()
	return l, nil
}

// expand lists the files of a path: itself, or a folder's regular files.
func expand(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, fmt.Errorf("read audit log folder %s: %w", p, err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			out = append(out, filepath.Join(p, e.Name()))
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil, fmt.Errorf("read audit log folder %s: no files", p)
	}
	return out, nil
}

func (l *Ledger) readFile(ctx context.Context, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	defer f.Close()
	return l.ReadFrom(ctx, name, f)
}

// ReadFrom adds the events of one log (plain or gzip) to the ledger; name
// is what its line errors say.
func (l *Ledger) ReadFrom(ctx context.Context, name string, r io.Reader) error {
	l.Sources = append(l.Sources, name)
	br := bufio.NewReaderSize(r, 256<<10)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("read audit log %s: %w", name, err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 256<<10)
	}
	var (
		line    int64
		buf     []byte
		tooLong bool
	)
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			if !tooLong {
				if len(buf)+len(chunk) > MaxLineBytes {
					tooLong, buf = true, buf[:0]
				} else {
					buf = append(buf, chunk...)
				}
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read audit log %s: %w", name, err)
		}
		if len(chunk) > 0 || tooLong {
			line++
			if line%4096 == 0 {
				if cerr := ctx.Err(); cerr != nil {
					return cerr
				}
			}
			if tooLong {
				l.Lines++
				l.unparsed(name, line, fmt.Sprintf("line longer than %d bytes", MaxLineBytes))
			} else {
				l.line(name, line, buf)
			}
			// Keep the buffer unless one huge line grew it.
			if cap(buf) > 1<<20 {
				buf = nil
			}
			buf, tooLong = buf[:0], false
		}
		if err != nil {
			return nil
		}
	}
}

func (l *Ledger) line(name string, n int64, b []byte) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return
	}
	l.Lines++
	var ev Event
	if err := json.Unmarshal(b, &ev); err != nil {
		l.unparsed(name, n, "not JSON: "+jsonError(err))
		return
	}
	if err := ev.valid(); err != nil {
		l.unparsed(name, n, err.Error())
		return
	}
	l.Add(&ev)
}

// jsonError says what is wrong with a line without quoting it (a line may
// hold a token).
func jsonError(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %s: want %s", te.Field, te.Type)
	}
	return "invalid"
}

func (l *Ledger) unparsed(name string, n int64, msg string) {
	l.Unparsed++
	if len(l.LineErrors) < MaxLineErrors {
		l.LineErrors = append(l.LineErrors, LineError{File: name, Line: n, Message: msg})
	}
}

// Event is the part of an audit.k8s.io/v1 Event the ledger reads. Request
// and response bodies are not among its fields, so they are never decoded.
type Event struct {
	Kind       string `json:"kind"`
	APIVersion string `json:"apiVersion"`
	AuditID    string `json:"auditID"`
	Stage      string `json:"stage"`
	RequestURI string `json:"requestURI"`
	Verb       string `json:"verb"`
	User       struct {
		Username string              `json:"username"`
		Extra    map[string][]string `json:"extra"`
	} `json:"user"`
	// ImpersonatedUser is who the request acted as: RBAC authorized the
	// request for this user, and the token's owner only for impersonate.
	ImpersonatedUser *struct {
		Username string `json:"username"`
	} `json:"impersonatedUser"`
	SourceIPs []string `json:"sourceIPs"`
	UserAgent string   `json:"userAgent"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
		APIGroup    string `json:"apiGroup"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
	RequestReceivedTimestamp time.Time         `json:"requestReceivedTimestamp"`
	StageTimestamp           time.Time         `json:"stageTimestamp"`
	Annotations              map[string]string `json:"annotations"`
}

func (ev *Event) valid() error {
	if ev.Kind != "Event" || !strings.HasPrefix(ev.APIVersion, "audit.k8s.io/") {
		return fmt.Errorf("not an audit.k8s.io Event (kind %q, apiVersion %q)", Scrub(short(ev.Kind)), Scrub(short(ev.APIVersion)))
	}
	if ev.RequestReceivedTimestamp.IsZero() && ev.StageTimestamp.IsZero() {
		return errors.New("audit event without requestReceivedTimestamp or stageTimestamp")
	}
	return nil
}

func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// The annotations and user.extra keys the ledger reads.
const (
	AnnotationLegacyToken        = "authentication.k8s.io/legacy-token"
	AnnotationAutogenerated      = "authentication.k8s.io/legacy-token-autogenerated-secret"
	AnnotationManual             = "authentication.k8s.io/legacy-token-manual-secret"
	AnnotationInvalidated        = "authentication.k8s.io/legacy-token-invalidated"
	AnnotationStaleToken         = "authentication.k8s.io/stale-token"
	AnnotationDecision           = "authorization.k8s.io/decision"
	ExtraPodName                 = "authentication.kubernetes.io/pod-name"
	ExtraPodUID                  = "authentication.kubernetes.io/pod-uid"
	ExtraNodeName                = "authentication.kubernetes.io/node-name"
	ExtraCredentialID            = "authentication.kubernetes.io/credential-id"
	serviceAccountUsernamePrefix = "system:serviceaccount:"
)

// Add counts one event. Every event widens the window; a request counts
// once: at ResponseComplete or Panic, or at ResponseStarted for a
// long-running request (a watch), whose ResponseComplete is then not
// counted again (RequestReceived is never counted, since a request at
// that stage has not been authorized yet).
func (l *Ledger) Add(ev *Event) {
	l.Events++
	t := ev.RequestReceivedTimestamp
	if t.IsZero() {
		t = ev.StageTimestamp
	}
	t = t.UTC()
	if l.First.IsZero() || t.Before(l.First) {
		l.First = t
	}
	if t.After(l.Last) {
		l.Last = t
	}
	switch ev.Stage {
	case "ResponseStarted":
		if ev.AuditID != "" {
			if len(l.started) >= 100_000 {
				l.started = map[string]bool{}
			}
			l.started[ev.AuditID] = true
		}
	case "ResponseComplete", "Panic", "":
		if ev.AuditID != "" && l.started[ev.AuditID] {
			delete(l.started, ev.AuditID)
			return
		}
	default:
		return
	}
	l.Counted++
	ann := ev.Annotations
	if v := ann[AnnotationInvalidated]; v != "" {
		// "name/namespace", as the API server writes it.
		if name, ns, ok := strings.Cut(v, "/"); ok {
			key := ns + "/" + name
			u := l.Invalidated[key]
			if u == nil && len(l.Invalidated) < MaxAccounts {
				u = &Usage{}
				l.Invalidated[key] = u
			}
			if u != nil {
				u.add(t, ev.SourceIPs, ev.UserAgent)
			}
		}
	}
	ns, name, ok := ParseServiceAccountUser(ev.User.Username)
	if !ok {
		// A person or component acting as a ServiceAccount: the request
		// used the account's grants.
		if !denied(ev) {
			l.actedAs(ev, requestOf(ev), t)
		}
		return
	}
	a := l.account(ns, name)
	if a == nil {
		return
	}
	a.Usage.add(t, ev.SourceIPs, ev.UserAgent)
	if _, ok := ann[AnnotationLegacyToken]; ok {
		l.Evidence.LegacyTokens = true
		a.Legacy.add(t, ev.SourceIPs, ev.UserAgent)
	}
	for _, k := range []string{AnnotationAutogenerated, AnnotationManual} {
		secret := ann[k]
		if secret == "" {
			continue
		}
		l.Evidence.LegacySecrets = true
		skey := ns + "/" + secret
		s := l.Secrets[skey]
		if s == nil {
			if len(l.Secrets) >= MaxAccounts {
				continue
			}
			s = &Secret{Namespace: ns, Name: secret, ServiceAccount: name}
			l.Secrets[skey] = s
		}
		s.AutoGenerated = s.AutoGenerated || k == AnnotationAutogenerated
		s.Usage.add(t, ev.SourceIPs, ev.UserAgent)
	}
	_, stale := ann[AnnotationStaleToken]
	if stale {
		l.Evidence.StaleTokens = true
		a.Stale.add(t, ev.SourceIPs, ev.UserAgent)
	}
	if len(ev.User.Extra[ExtraCredentialID]) > 0 {
		l.Evidence.CredentialIDs = true
	}
	if c := claimOf(ev.User.Extra); c != (Claim{}) {
		l.Evidence.BoundClaims = true
		cu := a.Claims[c]
		if cu == nil && len(a.Claims) < MaxClaims {
			cu = &ClaimUse{}
			a.Claims[c] = cu
		}
		if cu == nil {
			a.DroppedClaims++
		} else {
			cu.add(t, ev.SourceIPs, ev.UserAgent)
			if stale {
				cu.Stale.add(t)
			}
		}
	}
	if denied(ev) {
		a.Denied++
		return
	}
	r := requestOf(ev)
	if ev.ImpersonatedUser != nil && ev.ImpersonatedUser.Username != "" {
		// The token's owner used impersonate; what the request did was
		// authorized for the impersonated user, whose grants it used.
		a.request(impersonation(ev.ImpersonatedUser.Username), t)
		l.actedAs(ev, r, t)
		return
	}
	a.request(r, t)
}

// actedAs counts request r for the ServiceAccount the event impersonated,
// if it did.
func (l *Ledger) actedAs(ev *Event, r Request, t time.Time) {
	if ev.ImpersonatedUser == nil {
		return
	}
	ns, name, ok := ParseServiceAccountUser(ev.ImpersonatedUser.Username)
	if !ok {
		return
	}
	if a := l.account(ns, name); a != nil {
		a.request(r, t)
	}
}

// account returns the summary of ServiceAccount ns/name, created on first
// use; nil past MaxAccounts (counted in DroppedAccounts).
func (l *Ledger) account(ns, name string) *Account {
	key := ns + "/" + name
	a := l.Accounts[key]
	if a == nil {
		if len(l.Accounts) >= MaxAccounts {
			l.DroppedAccounts++
			return nil
		}
		a = &Account{Namespace: ns, Name: name, Requests: map[Request]*Tally{}, Claims: map[Claim]*ClaimUse{}}
		l.Accounts[key] = a
	}
	return a
}

// request counts one authorized request of the account.
func (a *Account) request(r Request, t time.Time) {
	tl := a.Requests[r]
	if tl == nil && r.Name != "" {
		shape := r
		shape.Name = ""
		if a.names[shape] >= MaxNames {
			a.DroppedRequests++
			r, tl = shape, a.Requests[shape]
		} else {
			if a.names == nil {
				a.names = map[Request]int{}
			}
			a.names[shape]++
		}
	}
	if tl == nil {
		if len(a.Requests) >= MaxRequests {
			a.DroppedRequests++
			return
		}
		tl = &Tally{}
		a.Requests[r] = tl
	}
	tl.add(t)
}

// impersonation is the request the authorizer checks when a user
// impersonates username: impersonate on the ServiceAccount for a
// ServiceAccount's username, else on the user.
func impersonation(username string) Request {
	if ns, name, ok := ParseServiceAccountUser(username); ok {
		return Request{Verb: "impersonate", Resource: "serviceaccounts", Namespace: ns, Name: Scrub(name)}
	}
	return Request{Verb: "impersonate", Resource: "users", Name: Scrub(username)}
}

func claimOf(extra map[string][]string) Claim {
	first := func(k string) string {
		if v := extra[k]; len(v) > 0 {
			return Scrub(v[0])
		}
		return ""
	}
	return Claim{Pod: first(ExtraPodName), PodUID: first(ExtraPodUID), Node: first(ExtraNodeName)}
}

// denied: the authorizer refused the request (its decision annotation),
// or the response says so (401, 403).
func denied(ev *Event) bool {
	if d, ok := ev.Annotations[AnnotationDecision]; ok {
		return d != "allow"
	}
	return ev.ResponseStatus != nil && (ev.ResponseStatus.Code == 401 || ev.ResponseStatus.Code == 403)
}

// requestOf is what the request asked for: the objectRef of a resource
// request, or the path (without query) of a non-resource one.
func requestOf(ev *Event) Request {
	if o := ev.ObjectRef; o != nil && o.Resource != "" {
		return Request{Verb: ev.Verb, Group: o.APIGroup, Resource: o.Resource, Subresource: o.Subresource, Namespace: o.Namespace, Name: Scrub(o.Name)}
	}
	path, _, _ := strings.Cut(ev.RequestURI, "?")
	return Request{Verb: ev.Verb, Path: Scrub(path)}
}

// ParseServiceAccountUser reads system:serviceaccount:NS:NAME.
func ParseServiceAccountUser(user string) (ns, name string, ok bool) {
	rest, ok := strings.CutPrefix(user, serviceAccountUsernamePrefix)
	if !ok {
		return "", "", false
	}
	ns, name, ok = strings.Cut(rest, ":")
	if !ok || ns == "" || name == "" || strings.Contains(name, ":") {
		return "", "", false
	}
	return ns, name, true
}
