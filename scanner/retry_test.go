package scanner

import (
	"context"
	"errors"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestRetry(t *testing.T) {
	unavailable := apierrors.NewServiceUnavailable("injected")
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "", errors.New("no"))
	for _, tc := range []struct {
		name    string
		errs    []error // one per call; past the end, success
		calls   int
		wantErr error
	}{
		{"transient errors are retried", []error{unavailable, unavailable}, 3, nil},
		{"a refusal is not", []error{forbidden}, 1, forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := retry(context.Background(), func() error {
				calls++
				if calls <= len(tc.errs) {
					return tc.errs[calls-1]
				}
				return nil
			})
			if calls != tc.calls || !errors.Is(err, tc.wantErr) {
				t.Errorf("%d calls, err %v; want %d, %v", calls, err, tc.calls, tc.wantErr)
			}
		})
	}
	t.Run("a cancelled scan stops", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		err := retry(ctx, func() error {
			calls++
			cancel()
			return unavailable
		})
		if calls != 1 || !errors.Is(err, context.Canceled) {
			t.Errorf("%d calls, err %v; want 1, context.Canceled", calls, err)
		}
	})
}
