// Package access is the access model of one inventory: which subjects each
// RBAC binding applies to, the rules of the role it grants (ClusterRole
// aggregation resolved), and the bindings that apply to each
// ServiceAccount, directly or through its groups. It is Kubernetes'
// mechanics, not a judgement: which grants are dangerous is decided by the
// rules (policies/lib/rbac.rego), which read the model from the input.
//
// The model is built once per scan in time linear in objects plus binding
// subjects: a grant to a group is recorded once for the group and never
// copied per member.
package access

import (
	"encoding/binary"
	"sort"
	"strings"

	"github.com/sascan/sascan/scanner"
)

// Group is the API group of the RBAC kinds.
const Group = "rbac.authorization.k8s.io"

// The groups Kubernetes puts every ServiceAccount in.
const (
	AllServiceAccounts = "system:serviceaccounts"
	Authenticated      = "system:authenticated"
	namespaceGroup     = "system:serviceaccounts:"
	saUserPrefix       = "system:serviceaccount:"
)

// Rule is one PolicyRule of a role.
type Rule struct {
	APIGroups       []string `json:"apiGroups"`
	Resources       []string `json:"resources"`
	Verbs           []string `json:"verbs"`
	ResourceNames   []string `json:"resourceNames"`
	NonResourceURLs []string `json:"nonResourceURLs"`
}

// AppendKey appends a key of r's content to b: rules have equal keys
// exactly when their lists are equal (each list and string is prefixed
// with its length), and the keys of a list of rules appended one after
// another are equal exactly when the lists are.
func (r Rule) AppendKey(b []byte) []byte {
	for _, l := range [][]string{r.APIGroups, r.Resources, r.Verbs, r.ResourceNames, r.NonResourceURLs} {
		b = binary.AppendUvarint(b, uint64(len(l)))
		for _, s := range l {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	return b
}

// Role is a Role or ClusterRole of the scan with its effective rules.
type Role struct {
	Key       string // RoleKey
	Kind      string
	Namespace string
	Name      string
	Object    int // inventory id
	// Rules are the rules a binding to the role grants: its own, or for an
	// aggregated ClusterRole in a manifest scan the union of the rules of
	// the roles it selects (the controller's result); a live cluster's
	// aggregated roles already hold what the controller wrote.
	Rules []Rule
	// Aggregated: the ClusterRole has an aggregationRule.
	Aggregated bool
	// Selects lists the ClusterRoles an aggregated role's selectors match
	// directly (sorted names, itself excluded).
	Selects []string
	// BeyondBaseline are the rules of Rules that the baseline (what the
	// bootstrap policy grants every ServiceAccount) does not cover.
	BeyondBaseline []Rule
}

// RoleKey names a role: "ClusterRole/<name>" or "Role/<namespace>/<name>".
func RoleKey(kind, namespace, name string) string {
	switch kind {
	case "ClusterRole":
		return "ClusterRole/" + name
	case "Role":
		return "Role/" + namespace + "/" + name
	}
	return "" // the authorizer refuses any other kind
}

// Subject is one entry of a binding's subjects, resolved the way the
// authorizer matches it.
type Subject struct {
	Index int
	Kind  string
	Name  string
	// Namespace is the subject's namespace as written.
	Namespace string
	// User is the username the subject matches: a User subject's name, or
	// system:serviceaccount:<ns>:<name> for a ServiceAccount subject (its
	// namespace defaults to a RoleBinding's own). Empty when the subject
	// matches no user (a ServiceAccount subject without a namespace in a
	// ClusterRoleBinding, a Group, an unknown kind).
	User string
	// ServiceAccount is "ns/name" when User is a ServiceAccount's username.
	ServiceAccount string
	// Group is a Group subject's name.
	Group string
}

// Binding is a RoleBinding or ClusterRoleBinding of the scan.
type Binding struct {
	Object    int
	Kind      string
	Namespace string // "" for a ClusterRoleBinding
	Name      string
	RoleKind  string
	RoleName  string
	// RoleKey is the role the binding grants (RoleKey); Role is nil when the
	// scan does not hold it (the grant is dangling, or not observed).
	RoleKey string
	Role    *Role
	// Scope is "*" for a ClusterRoleBinding, else the binding's namespace.
	Scope    string
	Subjects []Subject
	// BootstrapGroups are the groups the bootstrap policy's binding of the
	// same name and role grants (a bootstrap binding names them by design).
	BootstrapGroups []string
}

// Grant is one subject of one binding.
type Grant struct {
	Binding *Binding
	Subject int // index into Binding.Subjects
}

// Model is the access model of one inventory.
type Model struct {
	Roles    map[string]*Role
	Bindings []*Binding
	// byUser and byGroup index the grants by the username or group a
	// subject matches.
	byUser  map[string][]Grant
	byGroup map[string][]Grant
	// ServiceAccounts lists every ServiceAccount in scope ("ns/name",
	// sorted): declared, run by a pod spec, named by a binding subject or
	// by a token Secret.
	ServiceAccounts []string
	// Baseline are the rules every ServiceAccount holds by the bootstrap
	// policy (through system:authenticated, system:unauthenticated and
	// system:serviceaccounts).
	Baseline []Rule
	// PodSpecs are the inventory's pod specs (same order): who each runs
	// as and which containers hold the token.
	PodSpecs []PodSpec
	// TokenSecrets are the legacy token Secrets that name a
	// ServiceAccount, in inventory order.
	TokenSecrets []TokenSecret
	// Declared are the ServiceAccounts the inventory holds as objects
	// ("ns/name"; the implicit default ones included): the only ones a pod
	// can run as, since the ServiceAccount admission refuses a pod that
	// names a missing one.
	Declared map[string]bool
}

// TokenSecret is a Secret of type kubernetes.io/service-account-token: it
// holds a token of ServiceAccount ("ns/name") once the token controller
// fills it.
type TokenSecret struct {
	Object         int
	Namespace      string
	Name           string
	ServiceAccount string
}

// Options steer Build.
type Options struct {
	// ComputeAggregation fills aggregated ClusterRoles with the union of
	// the roles they select, as the controller does; set it for manifests,
	// leave it off for a live cluster, whose stored rules are what the API
	// server authorizes with.
	ComputeAggregation bool
	// Bootstrap is the API server's bootstrap policy: what every
	// ServiceAccount holds anyway, and which groups each bootstrap binding
	// names by design. nil means none. A live cluster's own objects are not
	// trusted for this: anyone may label a binding as a bootstrap one.
	Bootstrap *Bootstrap
	Tokens    TokenOptions
}

// Build makes the model of inv. Shadowed objects (an identity defined
// again later in the input) do not count.
func Build(inv *scanner.Inventory, opts Options) *Model {
	m := &Model{Roles: map[string]*Role{}, byUser: map[string][]Grant{}, byGroup: map[string][]Grant{}, Declared: map[string]bool{}}
	// Who runs as whom reads the inventory only: it is resolved on another
	// core while the RBAC part is built.
	specs := make(chan []PodSpec, 1)
	go func() { specs <- podSpecs(inv, opts.Tokens) }()
	var bindings []*scanner.Object
	sas := map[string]bool{}
	for _, o := range inv.Objects {
		if o.Shadowed {
			continue
		}
		switch {
		case o.Group == Group && (o.Kind == "Role" || o.Kind == "ClusterRole"):
			r := &Role{Key: RoleKey(o.Kind, o.Namespace, o.Name), Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, Object: o.ID}
			r.Rules = rulesOf(o.Raw["rules"])
			if ar, ok := o.Raw["aggregationRule"].(map[string]any); ok && o.Kind == "ClusterRole" {
				if _, ok := ar["clusterRoleSelectors"].([]any); ok {
					r.Aggregated = true
				}
			}
			m.Roles[r.Key] = r
		case o.Group == Group && (o.Kind == "RoleBinding" || o.Kind == "ClusterRoleBinding"):
			bindings = append(bindings, o)
		case o.Group == "" && o.Kind == "ServiceAccount":
			sas[o.Namespace+"/"+o.Name] = true
			m.Declared[o.Namespace+"/"+o.Name] = true
		}
	}
	m.aggregate(inv, opts.ComputeAggregation)
	boot := opts.Bootstrap
	if boot == nil {
		boot = NewBootstrap(nil)
	}
	m.Baseline = boot.baseline()
	beyondBaseline(m.Baseline, m.Roles)
	for _, o := range bindings {
		b := newBinding(o)
		if bb, ok := boot.bindings[b.Name]; ok && b.Kind == "ClusterRoleBinding" && b.RoleKind == "ClusterRole" && b.RoleName == bb.role {
			b.BootstrapGroups = bb.groups
		}
		if r := m.Roles[b.RoleKey]; r != nil && b.RoleKey != "" && (b.RoleKind == "ClusterRole" || b.Kind == "RoleBinding") {
			b.Role = r
		}
		m.Bindings = append(m.Bindings, b)
		for i, s := range b.Subjects {
			g := Grant{Binding: b, Subject: i}
			if s.User != "" {
				m.byUser[s.User] = append(m.byUser[s.User], g)
			}
			if s.Group != "" {
				m.byGroup[s.Group] = append(m.byGroup[s.Group], g)
			}
			if s.ServiceAccount != "" {
				sas[s.ServiceAccount] = true
			}
		}
	}
	m.PodSpecs = <-specs
	for _, ps := range m.PodSpecs {
		sas[ps.Key] = true
	}
	for _, o := range inv.Objects {
		if o.Shadowed || o.Group != "" || o.Kind != "Secret" {
			continue
		}
		if t, _ := o.Raw["type"].(string); t == "kubernetes.io/service-account-token" {
			if name, _ := o.Annotations["kubernetes.io/service-account.name"].(string); name != "" {
				sas[o.Namespace+"/"+name] = true
				m.TokenSecrets = append(m.TokenSecrets, TokenSecret{Object: o.ID, Namespace: o.Namespace, Name: o.Name, ServiceAccount: o.Namespace + "/" + name})
			}
		}
	}
	for k := range sas {
		m.ServiceAccounts = append(m.ServiceAccounts, k)
	}
	sort.Strings(m.ServiceAccounts)
	return m
}

func newBinding(o *scanner.Object) *Binding {
	ref, _ := o.Raw["roleRef"].(map[string]any)
	b := &Binding{Object: o.ID, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, Scope: "*"}
	b.RoleKind, _ = ref["kind"].(string)
	b.RoleName, _ = ref["name"].(string)
	if o.Kind == "RoleBinding" {
		b.Scope = o.Namespace
	} else {
		b.Namespace = ""
	}
	b.RoleKey = RoleKey(b.RoleKind, o.Namespace, b.RoleName)
	subjects, _ := o.Raw["subjects"].([]any)
	for i, raw := range subjects {
		sm, _ := raw.(map[string]any)
		s := Subject{Index: i}
		s.Kind, _ = sm["kind"].(string)
		s.Name, _ = sm["name"].(string)
		s.Namespace, _ = sm["namespace"].(string)
		switch s.Kind {
		case "ServiceAccount":
			ns := s.Namespace
			if ns == "" {
				ns = b.Namespace // "" for a ClusterRoleBinding: matches nobody
			}
			if ns != "" {
				s.User = ServiceAccountUser(ns, s.Name)
			}
		case "User":
			s.User = s.Name
		case "Group":
			s.Group = s.Name
		}
		if ns, name, ok := ParseServiceAccountUser(s.User); ok {
			s.ServiceAccount = ns + "/" + name
		}
		b.Subjects = append(b.Subjects, s)
	}
	return b
}

// ServiceAccountUser is the username of ServiceAccount ns/name.
func ServiceAccountUser(ns, name string) string { return saUserPrefix + ns + ":" + name }

// ParseServiceAccountUser splits a ServiceAccount username; ok is false
// for any other name.
func ParseServiceAccountUser(user string) (ns, name string, ok bool) {
	rest, found := strings.CutPrefix(user, saUserPrefix)
	if !found {
		return "", "", false
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// ServiceAccountGroups are the groups of ServiceAccount tokens in ns.
func ServiceAccountGroups(ns string) []string {
	return []string{AllServiceAccounts, namespaceGroup + ns, Authenticated}
}

// IsServiceAccountGroup reports whether group holds ServiceAccounts:
// system:serviceaccounts, system:serviceaccounts:<ns> or
// system:authenticated.
func IsServiceAccountGroup(group string) bool {
	if group == AllServiceAccounts || group == Authenticated {
		return true
	}
	ns, ok := strings.CutPrefix(group, namespaceGroup)
	return ok && ns != "" && !strings.Contains(ns, ":")
}

// User is who makes a request.
type User struct {
	Name   string
	Groups []string
}

// ServiceAccount is the user of ServiceAccount ns/name's token.
func ServiceAccount(ns, name string) User {
	return User{Name: ServiceAccountUser(ns, name), Groups: ServiceAccountGroups(ns)}
}

// GrantsTo lists the grants that apply to u: by its name and by each of
// its groups, in that order.
func (m *Model) GrantsTo(u User) []Grant {
	out := append([]Grant(nil), m.byUser[u.Name]...)
	for _, g := range u.Groups {
		out = append(out, m.byGroup[g]...)
	}
	return out
}

func serviceAccountName(spec any) string {
	s, _ := spec.(map[string]any)
	if n, _ := s["serviceAccountName"].(string); n != "" {
		return n
	}
	if n, _ := s["serviceAccount"].(string); n != "" {
		return n
	}
	return "default"
}

func rulesOf(v any) []Rule {
	list, _ := v.([]any)
	out := make([]Rule, 0, len(list))
	for _, raw := range list {
		r, _ := raw.(map[string]any)
		out = append(out, Rule{
			APIGroups: strs(r["apiGroups"]), Resources: strs(r["resources"]), Verbs: strs(r["verbs"]),
			ResourceNames: strs(r["resourceNames"]), NonResourceURLs: strs(r["nonResourceURLs"]),
		})
	}
	return out
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
