package gen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// Profile is the shape of a generated dump.
type Profile string

const (
	// ProfileMix is the corpus mix of kinds (Write).
	ProfileMix Profile = "mix"
	// ProfileRBACHeavy is a large multi-tenant cluster: many namespaces,
	// a ServiceAccount and a Secret for every ten objects (a quarter of the
	// Secrets legacy tokens), dense RBAC, and bindings to
	// system:serviceaccounts, system:serviceaccounts:<ns> and
	// system:authenticated.
	ProfileRBACHeavy Profile = "rbac-heavy"
	// ProfilePaths is rbac-heavy where tokens lead to other tokens: no
	// grants to the cluster-wide ServiceAccount groups, a third of the
	// RoleBindings grant an account of another namespace, and one
	// ClusterRoleBinding in twenty binds cluster-admin: multi-hop attack
	// paths.
	ProfilePaths Profile = "paths"
	// ProfileDense is rbac-heavy in a single namespace where objects name
	// each other: ServiceAccounts list Secrets in .secrets, workloads read
	// Secrets through envFrom, Services (a third of them NodePort) select
	// the pods of controllers, half the Roles name a workload in a
	// pods/exec grant and a Secret in a get grant (resourceNames), and
	// half the workloads run as the default account. Work done per object
	// of one namespace shows here as quadratic growth.
	ProfileDense Profile = "dense"
)

// Profiles lists the profiles WriteProfile knows.
var Profiles = []Profile{ProfileMix, ProfileRBACHeavy, ProfilePaths, ProfileDense}

// WriteProfile writes n objects of the given profile.
func WriteProfile(w io.Writer, p Profile, n int, seed uint64) error {
	switch p {
	case ProfileMix, "":
		return Write(w, n, seed)
	case ProfileRBACHeavy:
		return writeRBACHeavy(w, n, seed, shape{})
	case ProfilePaths:
		return writeRBACHeavy(w, n, seed, shape{paths: true})
	case ProfileDense:
		return writeRBACHeavy(w, n, seed, shape{dense: true})
	}
	return fmt.Errorf("unknown profile %q (want mix, rbac-heavy, paths or dense)", p)
}

// rbacHeavyMix is the share of each kind per 1000 objects.
var rbacHeavyMix = []share{
	{"ServiceAccount", 100}, {"Secret", 130}, {"Role", 50}, {"RoleBinding", 70},
	{"ClusterRole", 30}, {"ClusterRoleBinding", 20}, {"Pod", 140}, {"Deployment", 110},
	{"Service", 80}, {"ConfigMap", 110}, {"StatefulSet", 15}, {"DaemonSet", 5},
	{"Job", 10}, {"CronJob", 10}, {"Namespace", 10}, {"CustomResource", 110},
}

// rbacRules are the rule sets roles draw from: harmless reads, secrets,
// workload writes, exec, wildcards and token minting.
var rbacRules = []string{
	"- {apiGroups: [\"\"], resources: [configmaps, pods, services], verbs: [get, list, watch]}\n",
	"- {apiGroups: [\"\"], resources: [secrets], verbs: [get, list]}\n",
	"- {apiGroups: [apps], resources: [deployments, statefulsets], verbs: [get, list, create, patch]}\n",
	"- {apiGroups: [\"\"], resources: [pods/exec, pods/log], verbs: [create, get]}\n",
	"- {apiGroups: [\"*\"], resources: [\"*\"], verbs: [get, list, watch]}\n",
	"- {apiGroups: [\"\"], resources: [serviceaccounts/token], verbs: [create]}\n",
	"- {apiGroups: [example.com], resources: [widgets], verbs: [\"*\"]}\n",
	"- {apiGroups: [\"\"], resources: [events], verbs: [create, patch]}\n",
}

// shape varies the rbac-heavy profile (ProfilePaths, ProfileDense).
type shape struct {
	paths, dense bool
}

func writeRBACHeavy(w io.Writer, n int, seed uint64, sh shape) error {
	paths := sh.paths
	bw := bufio.NewWriterSize(w, 1<<20)
	r := rand.New(rand.NewPCG(seed, seed^0x51ed270b27c9e3a1))
	nsCount := max(n/100, 1)
	if sh.dense {
		nsCount = 1
	}
	// Names of the Secrets and workloads written so far (dense only), for
	// references to objects that exist.
	var secrets, apps []string
	pickRef := func(names []string) string { return names[r.IntN(len(names))] }
	// Names are sa-<k> in each namespace, created in order, so references
	// pick an account that exists most of the time.
	sas := make([]int, nsCount)
	roles := make([]int, nsCount)
	clusterRoles := 0
	pickSA := func(ns int) string {
		if sas[ns] == 0 || r.IntN(20) == 0 {
			return "default"
		}
		return fmt.Sprintf("sa-%d", r.IntN(sas[ns]))
	}
	for i := 0; i < n; i++ {
		kind := pickKind(r, rbacHeavyMix)
		nsi := r.IntN(nsCount)
		ns := fmt.Sprintf("tenant-%04d", nsi)
		name := fmt.Sprintf("%s-%d", lower(kind), i)
		meta := fmt.Sprintf("metadata:\n  name: %s\n  namespace: %s\n  labels: {app.kubernetes.io/name: %s, tenant: %s}\n", name, ns, name, ns)
		var s string
		switch kind {
		case "ServiceAccount":
			s = fmt.Sprintf("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-%d\n  namespace: %s\n", sas[nsi], ns)
			if sh.dense && len(secrets) > 0 {
				s += fmt.Sprintf("secrets: [{name: %s}]\n", pickRef(secrets))
			}
			sas[nsi]++
		case "Secret":
			if r.IntN(4) == 0 {
				s = fmt.Sprintf("apiVersion: v1\nkind: Secret\n%s  annotations: {kubernetes.io/service-account.name: %s}\ntype: kubernetes.io/service-account-token\n", meta, pickSA(nsi))
			} else {
				s = fmt.Sprintf("apiVersion: v1\nkind: Secret\n%stype: Opaque\ndata: {password: aHVudGVyMg==}\n", meta)
			}
			secrets = append(secrets, name)
		case "Role":
			rules := rbacRules[r.IntN(len(rbacRules))] + rbacRules[r.IntN(len(rbacRules))]
			if sh.dense && len(apps) > 0 && len(secrets) > 0 && r.IntN(2) == 0 {
				// Grants limited to objects by name.
				rules = fmt.Sprintf("- {apiGroups: [\"\"], resources: [pods/exec], verbs: [create], resourceNames: [%s]}\n- {apiGroups: [\"\"], resources: [secrets], verbs: [get], resourceNames: [%s]}\n", pickRef(apps), pickRef(secrets))
			}
			s = fmt.Sprintf("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-%d\n  namespace: %s\nrules:\n%s", roles[nsi], ns, rules)
			roles[nsi]++
		case "ClusterRole":
			labels := ""
			if r.IntN(8) == 0 {
				labels = "  labels: {rbac.authorization.k8s.io/aggregate-to-edit: \"true\"}\n"
			}
			s = fmt.Sprintf("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: clusterrole-%d\n%srules:\n%s%s", clusterRoles, labels, rbacRules[r.IntN(len(rbacRules))], rbacRules[r.IntN(len(rbacRules))])
			clusterRoles++
		case "RoleBinding":
			var subj string
			switch r.IntN(10) {
			case 0, 1:
				subj = fmt.Sprintf("{apiGroup: rbac.authorization.k8s.io, kind: Group, name: \"system:serviceaccounts:%s\"}", ns)
			case 2:
				subj = "{kind: ServiceAccount, name: default}"
			default:
				subj = fmt.Sprintf("{kind: ServiceAccount, name: %s, namespace: %s}", pickSA(nsi), ns)
			}
			if paths && r.IntN(3) == 0 {
				other := r.IntN(nsCount)
				subj = fmt.Sprintf("{kind: ServiceAccount, name: %s, namespace: tenant-%04d}", pickSA(other), other)
			}
			ref := fmt.Sprintf("{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %s}", []string{"view", "edit", "admin"}[r.IntN(3)])
			if roles[nsi] > 0 && r.IntN(2) == 0 {
				ref = fmt.Sprintf("{apiGroup: rbac.authorization.k8s.io, kind: Role, name: role-%d}", r.IntN(roles[nsi]))
			} else if clusterRoles > 0 && r.IntN(2) == 0 {
				ref = fmt.Sprintf("{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: clusterrole-%d}", r.IntN(clusterRoles))
			}
			s = fmt.Sprintf("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n%sroleRef: %s\nsubjects: [%s]\n", meta, ref, subj)
		case "ClusterRoleBinding":
			var subj string
			switch r.IntN(20) {
			case 0:
				subj = "{apiGroup: rbac.authorization.k8s.io, kind: Group, name: \"system:serviceaccounts\"}"
			case 1:
				subj = "{apiGroup: rbac.authorization.k8s.io, kind: Group, name: \"system:authenticated\"}"
			case 2, 3:
				subj = fmt.Sprintf("{apiGroup: rbac.authorization.k8s.io, kind: Group, name: \"system:serviceaccounts:%s\"}", ns)
			default:
				subj = fmt.Sprintf("{kind: ServiceAccount, name: %s, namespace: %s}", pickSA(nsi), ns)
			}
			if paths && strings.Contains(subj, "Group") {
				subj = fmt.Sprintf("{kind: ServiceAccount, name: %s, namespace: %s}", pickSA(nsi), ns)
			}
			role := "view"
			if clusterRoles > 0 {
				role = fmt.Sprintf("clusterrole-%d", r.IntN(clusterRoles))
			}
			if paths && r.IntN(20) == 0 || sh.dense && r.IntN(10) == 0 {
				role = "cluster-admin"
			}
			s = fmt.Sprintf("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: %s\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %s}\nsubjects: [%s]\n", name, role, subj)
		case "Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob":
			sa := pickSA(nsi)
			if sh.dense && r.IntN(2) == 0 {
				sa = "default" // one account run by half the workloads
			}
			spec := fmt.Sprintf("serviceAccountName: %s\n", sa)
			if r.IntN(4) == 0 {
				spec += "automountServiceAccountToken: false\n"
			}
			spec += "containers:\n- name: app\n  image: registry.example.com/app:1.0\n  ports: [{containerPort: 8080}]\n"
			if sh.dense && len(secrets) > 0 {
				spec += fmt.Sprintf("  envFrom: [{secretRef: {name: %s}}]\n", pickRef(secrets))
			}
			apps = append(apps, name)
			if r.IntN(10) == 0 {
				spec += "  volumeMounts: [{name: tok, mountPath: /var/run/tok}]\nvolumes:\n- name: tok\n  projected:\n    sources:\n    - serviceAccountToken: {path: token, expirationSeconds: 86400, audience: vault}\n"
			}
			s = workload(kind, meta, name, spec)
		case "Service":
			app, typ := name, ""
			if sh.dense && len(apps) > 0 {
				app = pickRef(apps)
				if r.IntN(3) == 0 {
					typ = "  type: NodePort\n"
				}
			}
			s = fmt.Sprintf("apiVersion: v1\nkind: Service\n%sspec:\n%s  selector: {app: %s}\n  ports: [{port: 80}]\n", meta, typ, app)
		case "ConfigMap":
			s = fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\n%sdata:\n  LOG_FORMAT: json\n", meta)
		case "Namespace":
			s = fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n", ns)
		default:
			s = fmt.Sprintf("apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\n%sspec:\n  endpoints: [{port: http}]\n", meta)
		}
		if _, err := io.WriteString(bw, "---\n"+s); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// workload wraps a pod spec (at column 0) in the given kind.
func workload(kind, meta, name, spec string) string {
	indentBy := func(s, pre string) string {
		out := ""
		for _, l := range splitLines(s) {
			out += pre + l + "\n"
		}
		return out
	}
	switch kind {
	case "Pod":
		return "apiVersion: v1\nkind: Pod\n" + meta + "spec:\n" + indentBy(spec, "  ")
	case "Job":
		return "apiVersion: batch/v1\nkind: Job\n" + meta + "spec:\n  template:\n    spec:\n      restartPolicy: Never\n" + indentBy(spec, "      ")
	case "CronJob":
		return "apiVersion: batch/v1\nkind: CronJob\n" + meta + "spec:\n  schedule: \"0 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n" + indentBy(spec, "          ")
	}
	return fmt.Sprintf("apiVersion: apps/v1\nkind: %s\n%sspec:\n  selector:\n    matchLabels: {app: %s}\n  template:\n    metadata:\n      labels: {app: %s}\n    spec:\n%s", kind, meta, name, name, indentBy(spec, "      "))
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
