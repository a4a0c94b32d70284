// Package gen writes synthetic manifest dumps for benchmarks: a realistic
// mix of kinds (after ../shared/corpus/KINDS.md), spread over namespaces,
// deterministic for a given size and seed.
package gen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
)

// mix is the share of each kind per 1000 objects, rounded from the
// corpus census (Pods, Deployments and Services dominate; RBAC is about a
// fifth).
var mix = []share{
	{"Pod", 150}, {"Deployment", 140}, {"Service", 115}, {"ClusterRole", 30}, {"Role", 55},
	{"ConfigMap", 55}, {"RoleBinding", 55}, {"ServiceAccount", 60}, {"ClusterRoleBinding", 25},
	{"NetworkPolicy", 35}, {"StatefulSet", 20}, {"ReplicationController", 15}, {"Ingress", 15},
	{"Secret", 25}, {"Job", 12}, {"CronJob", 12}, {"DaemonSet", 10}, {"Namespace", 20},
	{"HorizontalPodAutoscaler", 15}, {"PodDisruptionBudget", 20}, {"CustomResource", 116},
}

// Write writes n objects as a multi-document YAML stream.
func Write(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	nsCount := max(n/50, 1)
	for i := 0; i < n; i++ {
		kind := pickKind(r, mix)
		ns := fmt.Sprintf("team-%03d", r.IntN(nsCount))
		name := fmt.Sprintf("%s-%d", lower(kind), i)
		if _, err := fmt.Fprintln(bw, "---"); err != nil {
			return err
		}
		if _, err := io.WriteString(bw, object(r, kind, ns, name, i)); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// share is how many of every 1000 objects are of a kind.
type share struct {
	kind  string
	share int
}

// pickKind draws a kind with the shares' weights.
func pickKind(r *rand.Rand, shares []share) string {
	total := 0
	for _, m := range shares {
		total += m.share
	}
	pick := r.IntN(total)
	for _, m := range shares {
		if pick < m.share {
			return m.kind
		}
		pick -= m.share
	}
	return shares[len(shares)-1].kind
}

func lower(kind string) string {
	b := []byte(kind)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func podSpec(r *rand.Rand, indent string, i int) string {
	sa := ""
	switch r.IntN(4) {
	case 0:
		sa = indent + fmt.Sprintf("serviceAccountName: sa-%d\n", r.IntN(i+1))
	case 1:
		sa = indent + "serviceAccountName: default\n"
	}
	automount := ""
	if r.IntN(3) == 0 {
		automount = indent + "automountServiceAccountToken: false\n"
	}
	proj := ""
	if r.IntN(10) == 0 {
		proj = fmt.Sprintf(`%[1]s- name: vault-token
%[1]s  projected:
%[1]s    sources:
%[1]s    - serviceAccountToken: {path: token, expirationSeconds: %[2]d, audience: vault}
`, indent, []int{3600, 7200, 86400 * 2}[r.IntN(3)])
	}
	return fmt.Sprintf(`%[2]s%[3]s%[1]scontainers:
%[1]s- name: app
%[1]s  image: registry.example.com/team/app:%[4]d.%[5]d
%[1]s  ports: [{containerPort: 8080, name: http}]
%[1]s  env:
%[1]s  - {name: LOG_LEVEL, value: info}
%[1]s  - {name: DB_HOST, value: db.svc.cluster.local}
%[1]s  - name: DB_PASSWORD
%[1]s    valueFrom: {secretKeyRef: {name: db-credentials, key: password}}
%[1]s  resources:
%[1]s    requests: {cpu: 100m, memory: 128Mi}
%[1]s    limits: {cpu: 500m, memory: 512Mi}
%[1]s  readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 10}
%[1]s  securityContext: {runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
%[1]s  volumeMounts: [{name: config, mountPath: /etc/app}]
%[1]svolumes:
%[1]s- name: config
%[1]s  configMap: {name: app-config}
%[6]s`, indent, sa, automount, r.IntN(9), r.IntN(20), proj)
}

func object(r *rand.Rand, kind, ns, name string, i int) string {
	meta := fmt.Sprintf("metadata:\n  name: %s\n  namespace: %s\n  labels: {app.kubernetes.io/name: %s, app.kubernetes.io/part-of: shop, team: %s}\n", name, ns, name, ns)
	switch kind {
	case "Pod":
		return "apiVersion: v1\nkind: Pod\n" + meta + "spec:\n" + podSpec(r, "  ", i)
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicationController":
		api := "apps/v1"
		if kind == "ReplicationController" {
			api = "v1"
		}
		return fmt.Sprintf("apiVersion: %s\nkind: %s\n%sspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: %s}\n  template:\n    metadata:\n      labels: {app: %s}\n    spec:\n%s",
			api, kind, meta, name, name, podSpec(r, "      ", i))
	case "Job":
		return fmt.Sprintf("apiVersion: batch/v1\nkind: Job\n%sspec:\n  template:\n    spec:\n      restartPolicy: Never\n%s", meta, podSpec(r, "      ", i))
	case "CronJob":
		return fmt.Sprintf("apiVersion: batch/v1\nkind: CronJob\n%sspec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n%s", meta, podSpec(r, "          ", i))
	case "Service":
		return fmt.Sprintf("apiVersion: v1\nkind: Service\n%sspec:\n  selector: {app: %s}\n  ports: [{port: 80, targetPort: http}]\n", meta, name)
	case "ServiceAccount":
		s := fmt.Sprintf("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-%d\n  namespace: %s\n", i, ns)
		if r.IntN(4) == 0 {
			s += "automountServiceAccountToken: false\n"
		}
		return s
	case "Secret":
		if r.IntN(3) == 0 {
			return fmt.Sprintf("apiVersion: v1\nkind: Secret\n%s  annotations: {kubernetes.io/service-account.name: sa-%d}\ntype: kubernetes.io/service-account-token\n", meta, r.IntN(i+1))
		}
		return fmt.Sprintf("apiVersion: v1\nkind: Secret\n%stype: Opaque\ndata: {password: aHVudGVyMg==, username: YWRtaW4=}\n", meta)
	case "ConfigMap":
		return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\n%sdata:\n  app.yaml: |\n    server:\n      port: 8080\n    features: [a, b, c]\n  LOG_FORMAT: json\n", meta)
	case "Role":
		return fmt.Sprintf("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n%srules:\n- {apiGroups: [\"\"], resources: [configmaps, pods], verbs: [get, list, watch]}\n- {apiGroups: [apps], resources: [deployments], verbs: [get, list]}\n%s",
			meta, []string{"", "- {apiGroups: [\"\"], resources: [secrets], verbs: [get]}\n", "- {apiGroups: [\"\"], resources: [pods/exec], verbs: [create]}\n"}[r.IntN(3)])
	case "ClusterRole":
		labels := ""
		if r.IntN(10) == 0 {
			labels = "  labels: {rbac.authorization.k8s.io/aggregate-to-view: \"true\"}\n"
		}
		return fmt.Sprintf("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: %s\n%srules:\n- {apiGroups: [example.com], resources: [widgets, gadgets], verbs: [get, list, watch]}\n- {apiGroups: [\"\"], resources: [events], verbs: [create, patch]}\n", name, labels)
	case "RoleBinding":
		subj := []string{
			fmt.Sprintf("{kind: ServiceAccount, name: sa-%d}", r.IntN(i+1)),
			"{kind: ServiceAccount, name: default}",
			fmt.Sprintf("{apiGroup: rbac.authorization.k8s.io, kind: Group, name: \"system:serviceaccounts:%s\"}", ns),
		}[r.IntN(3)]
		ref := []string{"{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}", "{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}", fmt.Sprintf("{apiGroup: rbac.authorization.k8s.io, kind: Role, name: role-%d}", r.IntN(i+1))}[r.IntN(3)]
		return fmt.Sprintf("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n%sroleRef: %s\nsubjects: [%s]\n", meta, ref, subj)
	case "ClusterRoleBinding":
		return fmt.Sprintf("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: %s\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: clusterrole-%d}\nsubjects: [{kind: ServiceAccount, name: sa-%d, namespace: %s}]\n", name, r.IntN(i+1), r.IntN(i+1), ns)
	case "Namespace":
		return fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s-%d\n", ns, i)
	case "NetworkPolicy":
		return fmt.Sprintf("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n%sspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [{podSelector: {matchLabels: {role: frontend}}}]\n", meta)
	case "Ingress":
		return fmt.Sprintf("apiVersion: networking.k8s.io/v1\nkind: Ingress\n%sspec:\n  rules:\n  - host: %s.example.com\n    http:\n      paths: [{path: /, pathType: Prefix, backend: {service: {name: svc, port: {number: 80}}}}]\n", meta, name)
	case "HorizontalPodAutoscaler":
		return fmt.Sprintf("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n%sspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 10\n", meta)
	case "PodDisruptionBudget":
		return fmt.Sprintf("apiVersion: policy/v1\nkind: PodDisruptionBudget\n%sspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: web}}\n", meta)
	}
	return fmt.Sprintf("apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\n%sspec:\n  selector: {matchLabels: {app: web}}\n  endpoints: [{port: http, interval: 30s}]\n", meta)
}
