package scanner

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"
)

// typedClients list the scanned resources as protobuf, the API server's
// native encoding: it encodes and the scanner decodes a list several times
// faster than as JSON. Each object is then turned into the same
// map[string]any that a JSON list gives (runtime.DefaultUnstructuredConverter
// follows the JSON field names and omitempty rules), so the inventory does
// not depend on the wire format; TestLiveTypedListEqualsJSON checks that on a
// live API server. A server that cannot answer in protobuf answers in JSON.
type typedClients struct {
	clients map[schema.GroupVersion]rest.Interface
	params  runtime.ParameterCodec
}

func newTypedClients(cfg *rest.Config) (*typedClients, error) {
	sch := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme,
		networkingv1.AddToScheme, rbacv1.AddToScheme, storagev1.AddToScheme,
	} {
		if err := add(sch); err != nil {
			return nil, fmt.Errorf("register API types: %w", err)
		}
	}
	codecs := serializer.NewCodecFactory(sch)
	tc := &typedClients{clients: map[schema.GroupVersion]rest.Interface{}, params: runtime.NewParameterCodec(sch)}
	for _, r := range Resources {
		gv := r.GVR.GroupVersion()
		if _, ok := tc.clients[gv]; ok {
			continue
		}
		c := rest.CopyConfig(cfg)
		c.GroupVersion = &gv
		c.APIPath = "/apis"
		if gv.Group == "" {
			c.APIPath = "/api"
		}
		c.ContentType = runtime.ContentTypeProtobuf
		c.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
		c.NegotiatedSerializer = codecs.WithoutConversion()
		rc, err := rest.RESTClientFor(c)
		if err != nil {
			return nil, fmt.Errorf("client for %s: %w", gv, err)
		}
		tc.clients[gv] = rc
	}
	return tc, nil
}

// list pages through a resource. Pod lists filtered by label use a label
// selector; any other selector is a field selector.
func (tc *typedClients) list(ctx context.Context, r Resource, ns, selector string, chunk int64, labels bool) ([]map[string]any, error) {
	opts := metav1.ListOptions{Limit: chunk}
	if labels {
		opts.LabelSelector = selector
	} else if selector != "" {
		opts.FieldSelector = selector
	}
	rc, ok := tc.clients[r.GVR.GroupVersion()]
	if !ok {
		return nil, fmt.Errorf("no client for %s", r.GVR.GroupVersion())
	}
	apiVersion := r.GVR.GroupVersion().String()
	fetch := func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		req := rc.Get().Resource(r.GVR.Resource).VersionedParams(&opts, tc.params)
		if r.Namespaced && ns != "" {
			req = req.Namespace(ns)
		}
		return req.Do(ctx).Get()
	}
	return paginate(ctx, opts, fetch, func(obj runtime.Object) (map[string]any, error) {
		// Managed fields are dropped before the conversion, which would
		// otherwise turn each entry's field set from JSON into maps
		// (trimServerFields drops them from the result anyway).
		if m, ok := obj.(metav1.Object); ok {
			m.SetManagedFields(nil)
		}
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return nil, fmt.Errorf("convert %s: %w", r.GVR.Resource, err)
		}
		u["apiVersion"], u["kind"] = apiVersion, r.Kind
		trimServerFields(u)
		return u, nil
	})
}
