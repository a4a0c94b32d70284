package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/pager"
	"k8s.io/client-go/util/flowcontrol"
)

// ClusterOptions say how to reach a cluster and what to list.
type ClusterOptions struct {
	Kubeconfig        string   // --kubeconfig; empty: KUBECONFIG, ~/.kube/config, in-cluster
	Context           string   // --context
	Namespaces        []string // -n; empty: all namespaces
	ExcludeNamespaces []string
	RequestTimeout    time.Duration
	QPS               float32
	Burst             int
	ChunkSize         int64
	ReadSecretData    bool      // list Secrets with their values (SA002/SA003 on live objects)
	Progress          io.Writer // "resource: count" lines; nil for none
}

// Resource is one kind sascan lists.
type Resource struct {
	GVR        schema.GroupVersionResource
	Kind       string
	Namespaced bool
}

// Resources are the kinds a cluster scan lists.
var Resources = []Resource{
	{schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, "Namespace", false},
	{schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}, "ServiceAccount", true},
	{schema.GroupVersionResource{Version: "v1", Resource: "secrets"}, "Secret", true},
	{schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, "ConfigMap", true},
	{schema.GroupVersionResource{Version: "v1", Resource: "pods"}, "Pod", true},
	{schema.GroupVersionResource{Version: "v1", Resource: "replicationcontrollers"}, "ReplicationController", true},
	{schema.GroupVersionResource{Version: "v1", Resource: "podtemplates"}, "PodTemplate", true},
	{schema.GroupVersionResource{Version: "v1", Resource: "services"}, "Service", true},
	{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, "Deployment", true},
	{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}, "ReplicaSet", true},
	{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}, "StatefulSet", true},
	{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}, "DaemonSet", true},
	{schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}, "Job", true},
	{schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "cronjobs"}, "CronJob", true},
	{schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}, "Ingress", true},
	{schema.GroupVersionResource{Group: rbacGroup, Version: "v1", Resource: "roles"}, "Role", true},
	{schema.GroupVersionResource{Group: rbacGroup, Version: "v1", Resource: "rolebindings"}, "RoleBinding", true},
	{schema.GroupVersionResource{Group: rbacGroup, Version: "v1", Resource: "clusterroles"}, "ClusterRole", false},
	{schema.GroupVersionResource{Group: rbacGroup, Version: "v1", Resource: "clusterrolebindings"}, "ClusterRoleBinding", false},
	{schema.GroupVersionResource{Group: "storage.k8s.io", Version: "v1", Resource: "csidrivers"}, "CSIDriver", false},
}

// Incomplete is a resource the scan could not list.
type Incomplete struct {
	Resource string // e.g. "secrets" or "secrets in ci"
	Reason   string
}

// ClusterResult is what a cluster scan listed.
type ClusterResult struct {
	Context    string
	Version    string // gitVersion from /version
	Objects    []RawObject
	Incomplete []Incomplete
}

// ErrCluster marks a cluster that cannot be scanned at all (unreachable,
// bad credentials, bad kubeconfig).
var ErrCluster = errors.New("cluster")

// RestConfig resolves client configuration the way kubectl does:
// --kubeconfig, then KUBECONFIG, then ~/.kube/config, then in-cluster.
func RestConfig(o ClusterOptions) (*rest.Config, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = o.Kubeconfig
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: o.Context})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrCluster, err)
	}
	name := o.Context
	if name == "" {
		if raw, err := cc.RawConfig(); err == nil && raw.CurrentContext != "" {
			name = raw.CurrentContext
		}
	}
	if name == "" {
		name = "in-cluster"
	}
	if o.QPS > 0 {
		cfg.QPS = o.QPS
	}
	if o.Burst > 0 {
		cfg.Burst = o.Burst
	}
	if o.RequestTimeout > 0 {
		cfg.Timeout = o.RequestTimeout
	}
	cfg.UserAgent = "sascan"
	return cfg, name, nil
}

// Contexts names every context of the kubeconfig (--kubeconfig, else
// KUBECONFIG's files merged, else ~/.kube/config), sorted.
func Contexts(kubeconfig string) ([]string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := rules.Load()
	if err != nil {
		return nil, fmt.Errorf("%w: read kubeconfig: %w", ErrCluster, err)
	}
	names := make([]string, 0, len(cfg.Contexts))
	for name := range cfg.Contexts {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// LoadCluster lists every resource of Resources (read-only, paginated,
// concurrently within the client's QPS budget). Secret values are not read
// unless opts.ReadSecretData: Secrets are then listed as metadata plus type
// through the metadata API and a field selector on type. A resource the
// caller may not list becomes an Incomplete entry; an unreachable API
// server or refused credentials are an error.
func LoadCluster(ctx context.Context, cfg *rest.Config, contextName string, o ClusterOptions) (*ClusterResult, error) {
	if o.ChunkSize <= 0 {
		o.ChunkSize = 500
	}
	cfg = rest.CopyConfig(cfg)
	if cfg.RateLimiter == nil && cfg.QPS > 0 {
		// One budget for every client of the scan, as --qps promises.
		cfg.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(cfg.QPS, max(cfg.Burst, 1))
	}
	typed, err := newTypedClients(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCluster, err)
	}
	meta, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCluster, err)
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCluster, err)
	}
	res := &ClusterResult{Context: contextName}
	v, err := disc.ServerVersion()
	if err != nil {
		return nil, fmt.Errorf("%w: get /version from %s: %w", ErrCluster, cfg.Host, err)
	}
	res.Version = v.GitVersion

	type job struct {
		r         Resource
		namespace string
		selector  string
		secretMD  bool // list through the metadata API
		setType   string
	}
	var jobs []job
	for _, r := range Resources {
		namespaces := []string{metav1.NamespaceAll}
		if r.Namespaced && len(o.Namespaces) > 0 {
			namespaces = o.Namespaces
		}
		for _, ns := range namespaces {
			if r.Kind == "Secret" && !o.ReadSecretData {
				jobs = append(jobs,
					job{r: r, namespace: ns, selector: "type=" + saTokenType, secretMD: true, setType: saTokenType},
					job{r: r, namespace: ns, selector: "type!=" + saTokenType, secretMD: true})
				continue
			}
			jobs = append(jobs, job{r: r, namespace: ns})
		}
	}
	// The control-plane mirror pods live in kube-system even when -n names
	// other namespaces.
	if len(o.Namespaces) > 0 && !slices.Contains(o.Namespaces, "kube-system") {
		jobs = append(jobs, job{r: Resources[podsIndex()], namespace: "kube-system", selector: "tier=control-plane"})
		jobs = append(jobs, job{r: Resources[configMapsIndex()], namespace: "kube-system"})
	}

	results := make([][]RawObject, len(jobs))
	incomplete := make([]*Incomplete, len(jobs))
	// Four lists at a time; a fatal error stops the others.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	var progressMu sync.Mutex
	for i, j := range jobs {
		g.Go(func() error {
			var objs []map[string]any
			var err error
			if j.secretMD {
				objs, err = listMetadata(gctx, meta, j.r, j.namespace, j.selector, o.ChunkSize)
			} else {
				objs, err = typed.list(gctx, j.r, j.namespace, j.selector, o.ChunkSize, j.r.Kind == "Pod" && j.selector != "")
			}
			what := j.r.GVR.Resource
			if j.namespace != "" {
				what += " in " + j.namespace
			}
			if err != nil {
				if apierrors.IsForbidden(err) || apierrors.IsNotFound(err) {
					incomplete[i] = &Incomplete{Resource: what, Reason: reason(err)}
					return nil
				}
				return fmt.Errorf("list %s: %w", what, err)
			}
			var out []RawObject
			for _, obj := range objs {
				if !keepNamespace(obj, o.ExcludeNamespaces) {
					continue
				}
				if j.setType != "" {
					obj["type"] = j.setType
				}
				out = append(out, RawObject{Value: obj})
			}
			results[i] = out
			if o.Progress != nil {
				progressMu.Lock()
				fmt.Fprintf(o.Progress, "listed %s: %d\n", what, len(out))
				progressMu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCluster, err)
	}
	seen := map[string]bool{}
	for i := range jobs {
		if incomplete[i] != nil {
			res.Incomplete = append(res.Incomplete, *incomplete[i])
		}
		for _, obj := range results[i] {
			md, _ := obj.Value["metadata"].(map[string]any)
			uid, _ := md["uid"].(string)
			if uid != "" && seen[uid] {
				continue
			}
			seen[uid] = true
			res.Objects = append(res.Objects, obj)
		}
	}
	sort.SliceStable(res.Incomplete, func(a, b int) bool { return res.Incomplete[a].Resource < res.Incomplete[b].Resource })
	return res, nil
}

const saTokenType = "kubernetes.io/service-account-token"

func podsIndex() int {
	for i, r := range Resources {
		if r.Kind == "Pod" {
			return i
		}
	}
	return 0
}

func configMapsIndex() int {
	for i, r := range Resources {
		if r.Kind == "ConfigMap" {
			return i
		}
	}
	return 0
}

func reason(err error) string {
	var st apierrors.APIStatus
	if errors.As(err, &st) {
		return st.Status().Message
	}
	return err.Error()
}

func keepNamespace(obj map[string]any, exclude []string) bool {
	if len(exclude) == 0 {
		return true
	}
	md, _ := obj["metadata"].(map[string]any)
	ns, _ := md["namespace"].(string)
	if obj["kind"] == "Namespace" {
		ns, _ = md["name"].(string)
	}
	return !slices.Contains(exclude, ns)
}

// maxRestarts bounds how often a list starts again because its continue
// token expired (the API server compacted past it).
const maxRestarts = 5

// paginate lists every page with client-go's pager (the next page is
// fetched while the last is converted), each page retried on transient
// errors, and converts each item. When the continue token expires midway,
// the list starts again from the first page.
func paginate(ctx context.Context, opts metav1.ListOptions, fetch func(context.Context, metav1.ListOptions) (runtime.Object, error), convert func(runtime.Object) (map[string]any, error)) ([]map[string]any, error) {
	p := pager.New(func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		var obj runtime.Object
		err := retry(ctx, func() error {
			var e error
			obj, e = fetch(ctx, o)
			return e
		})
		return obj, err
	})
	p.PageSize = opts.Limit
	for restarts := 0; ; restarts++ {
		var out []map[string]any
		err := p.EachListItem(ctx, opts, func(obj runtime.Object) error {
			m, err := convert(obj)
			if err != nil {
				return err
			}
			out = append(out, m)
			return nil
		})
		if apierrors.IsResourceExpired(err) && restarts < maxRestarts {
			continue
		}
		return out, err
	}
}

// listMetadata pages through Secrets as metadata only: no value is read.
func listMetadata(ctx context.Context, c metadata.Interface, r Resource, ns, fieldSelector string, chunk int64) ([]map[string]any, error) {
	fetch := func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		if ns != "" {
			return c.Resource(r.GVR).Namespace(ns).List(ctx, opts)
		}
		return c.Resource(r.GVR).List(ctx, opts)
	}
	return paginate(ctx, metav1.ListOptions{Limit: chunk, FieldSelector: fieldSelector}, fetch, func(obj runtime.Object) (map[string]any, error) {
		item, ok := obj.(*metav1.PartialObjectMetadata)
		if !ok {
			return nil, fmt.Errorf("list %s: got %T, want object metadata", r.GVR.Resource, obj)
		}
		return metadataObject(item.ObjectMeta, r), nil
	})
}

// retryAttempts bounds how often one list page is tried when the API server
// answers with a transient error (5xx, throttling, timeouts).
const retryAttempts = 5

// retry calls fn until it succeeds, fails with a non-transient error, the
// attempts run out (then it returns the last error), or ctx ends; it backs
// off 200 ms, doubling, with apimachinery's exponential backoff.
func retry(ctx context.Context, fn func() error) error {
	var last error
	err := wait.ExponentialBackoffWithContext(ctx, wait.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Steps: retryAttempts},
		func(context.Context) (bool, error) {
			last = fn()
			if last != nil && !transient(last) {
				return false, last
			}
			return last == nil, nil
		})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case wait.Interrupted(err) && last != nil:
		return last
	}
	return err
}

func transient(err error) bool {
	var ne net.Error
	return apierrors.IsInternalError(err) || apierrors.IsServiceUnavailable(err) ||
		apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) ||
		apierrors.IsUnexpectedServerError(err) ||
		(errors.As(err, &ne) && ne.Timeout()) || utilnet.IsConnectionReset(err) || utilnet.IsProbableEOF(err)
}

func metadataObject(m metav1.ObjectMeta, r Resource) map[string]any {
	md := map[string]any{"name": m.Name, "namespace": m.Namespace, "uid": string(m.UID), "resourceVersion": m.ResourceVersion,
		"creationTimestamp": m.CreationTimestamp.UTC().Format(time.RFC3339)}
	if len(m.Labels) > 0 {
		md["labels"] = stringMap(m.Labels)
	}
	if len(m.Annotations) > 0 {
		ann := stringMap(m.Annotations)
		// The applied configuration of a Secret holds its values.
		delete(ann, "kubectl.kubernetes.io/last-applied-configuration")
		md["annotations"] = ann
	}
	if len(m.OwnerReferences) > 0 {
		var refs []any
		for _, o := range m.OwnerReferences {
			refs = append(refs, map[string]any{"apiVersion": o.APIVersion, "kind": o.Kind, "name": o.Name, "uid": string(o.UID)})
		}
		md["ownerReferences"] = refs
	}
	return map[string]any{"apiVersion": "v1", "kind": r.Kind, "metadata": md}
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// trimServerFields drops managedFields: no rule reads them and on a live
// cluster they are often the largest part of an object.
func trimServerFields(obj map[string]any) {
	if md, ok := obj["metadata"].(map[string]any); ok {
		delete(md, "managedFields")
	}
}
