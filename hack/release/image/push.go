package main

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/authn/github"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// pushImage pushes the image index of the OCI layout dir, as buildImage
// wrote it, to repo tagged with the version the layout names it by, and
// returns the reference by digest. Credentials come from docker's config
// (docker login, crane auth login) or, for ghcr.io, $GITHUB_TOKEN.
func pushImage(ctx context.Context, dir, repo string, opts ...remote.Option) (name.Digest, error) {
	p, err := layout.FromPath(dir)
	if err != nil {
		return name.Digest{}, fmt.Errorf("read image layout: %w", err)
	}
	ii, err := p.ImageIndex()
	if err != nil {
		return name.Digest{}, fmt.Errorf("read image layout: %w", err)
	}
	m, err := ii.IndexManifest()
	if err != nil {
		return name.Digest{}, fmt.Errorf("read image layout: %w", err)
	}
	if len(m.Manifests) != 1 || !m.Manifests[0].MediaType.IsIndex() {
		return name.Digest{}, fmt.Errorf("read image layout %s: want one image index, have %d entries", dir, len(m.Manifests))
	}
	desc := m.Manifests[0]
	tag := desc.Annotations[refNameAnnotation]
	if tag == "" {
		return name.Digest{}, fmt.Errorf("read image layout %s: the index has no %s", dir, refNameAnnotation)
	}
	ref, err := name.NewTag(repo+":"+tag, name.StrictValidation)
	if err != nil {
		return name.Digest{}, fmt.Errorf("push image: %w", err)
	}
	idx, err := ii.ImageIndex(desc.Digest)
	if err != nil {
		return name.Digest{}, fmt.Errorf("read image layout: %w", err)
	}
	opts = append([]remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(authn.NewMultiKeychain(authn.DefaultKeychain, github.Keychain)),
	}, opts...)
	if err := remote.WriteIndex(ref, idx, opts...); err != nil {
		return name.Digest{}, fmt.Errorf("push %s: %w", ref, err)
	}
	return ref.Context().Digest(desc.Digest.String()), nil
}
