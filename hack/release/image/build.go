package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// What the image holds and how it runs. The binary and the CA bundle are
// owned by root and read-only to the user the image runs as, which has no
// /etc/passwd entry: a numeric user is all the kubelet and docker need
// (deploy/cronjob.yaml sets the same runAsUser).
const (
	binaryPath = "/usr/local/bin/sascan"
	caPath     = "/etc/ssl/certs/ca-certificates.crt"
	workDir    = "/work"
	imageUser  = "65532:65532"

	// buildID is the goreleaser build (.goreleaser.yaml builds[].id) whose
	// linux binaries go into the image.
	buildID = "sascan"

	// refNameAnnotation tags the image index in the OCI layout's index.json
	// (the OCI image layout's convention), with the release's version.
	refNameAnnotation = "org.opencontainers.image.ref.name"
)

// platforms are the image's platforms, in the order of the index.
func platforms() []v1.Platform {
	return []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}
}

// elfMachine is the ELF machine each architecture's binary must have.
func elfMachine(arch string) elf.Machine {
	switch arch {
	case "amd64":
		return elf.EM_X86_64
	case "arm64":
		return elf.EM_AARCH64
	}
	return elf.EM_NONE
}

type buildOptions struct {
	Dist    string // goreleaser's dist folder: metadata.json, artifacts.json and the binaries
	Out     string // the OCI image layout to create; must not exist
	CACerts string // the PEM bundle installed at caPath (Debian's ca-certificates)
}

// release is what goreleaser built: its version and commit (the ones it
// stamped into the binaries with ldflags), its date, and the path of the
// linux binary of each architecture.
type release struct {
	Version  string
	Commit   string
	Date     time.Time
	Binaries map[string]string // GOARCH -> path
}

// readRelease reads goreleaser's dist/metadata.json and dist/artifacts.json.
// Artifact paths that are relative are relative to the folder goreleaser ran
// in, the parent of dist.
func readRelease(dist string) (release, error) {
	dist, err := filepath.Abs(dist)
	if err != nil {
		return release{}, err
	}
	var meta struct {
		Version string `json:"version"`
		Commit  string `json:"commit"`
		Date    string `json:"date"`
	}
	if err := readJSON(filepath.Join(dist, "metadata.json"), &meta); err != nil {
		return release{}, err
	}
	if meta.Version == "" {
		return release{}, fmt.Errorf("read %s: no version", filepath.Join(dist, "metadata.json"))
	}
	date, err := time.Parse(time.RFC3339Nano, meta.Date)
	if err != nil {
		return release{}, fmt.Errorf("read %s: date: %w", filepath.Join(dist, "metadata.json"), err)
	}
	var artifacts []struct {
		Path   string `json:"path"`
		GOOS   string `json:"goos"`
		GOARCH string `json:"goarch"`
		Type   string `json:"type"`
		Extra  struct {
			ID string `json:"ID"`
		} `json:"extra"`
	}
	if err := readJSON(filepath.Join(dist, "artifacts.json"), &artifacts); err != nil {
		return release{}, err
	}
	r := release{Version: meta.Version, Commit: meta.Commit, Date: date.UTC(), Binaries: map[string]string{}}
	for _, a := range artifacts {
		if a.Type != "Binary" || a.Extra.ID != buildID || a.GOOS != "linux" {
			continue
		}
		if _, dup := r.Binaries[a.GOARCH]; dup {
			return release{}, fmt.Errorf("read %s: two linux/%s binaries of build %q", filepath.Join(dist, "artifacts.json"), a.GOARCH, buildID)
		}
		p := a.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(dist), p)
		}
		r.Binaries[a.GOARCH] = p
	}
	for _, pl := range platforms() {
		if r.Binaries[pl.Architecture] == "" {
			return release{}, fmt.Errorf("read %s: no %s binary of build %q", filepath.Join(dist, "artifacts.json"), pl, buildID)
		}
	}
	return r, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// checkStatic returns an error unless path is a statically linked ELF
// executable for arch: the image has no libc and no dynamic loader.
func checkStatic(path, arch string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	if want := elfMachine(arch); f.Machine != want {
		return fmt.Errorf("%s: machine %s, want %s for %s", path, f.Machine, want, arch)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s: dynamically linked (has a program interpreter); build with CGO_ENABLED=0", path)
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if len(libs) > 0 {
		return fmt.Errorf("%s: dynamically linked against %v", path, libs)
	}
	return nil
}

// readCACerts reads a PEM bundle and checks that it holds certificates.
func readCACerts(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read CA certificates: %w (on Debian: apt-get install ca-certificates)", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("read CA certificates %s: no PEM certificate", path)
	}
	return b, nil
}

// labels are the OCI image-spec annotations of the release, set as the
// config's labels of each image and as annotations of the index. A snapshot
// in a clone without a remote has no commit (goreleaser says "none"): then
// there is no revision.
func labels(r release) map[string]string {
	l := map[string]string{
		"org.opencontainers.image.title":       "sascan",
		"org.opencontainers.image.description": "Audits Kubernetes ServiceAccounts and their tokens",
		"org.opencontainers.image.url":         "https://github.com/sascan/sascan",
		"org.opencontainers.image.source":      "https://github.com/sascan/sascan",
		"org.opencontainers.image.licenses":    "Apache-2.0",
		"org.opencontainers.image.version":     r.Version,
		"org.opencontainers.image.revision":    r.Commit,
		"org.opencontainers.image.created":     r.Date.Truncate(time.Second).Format(time.RFC3339),
	}
	if r.Commit == "" || r.Commit == "none" {
		delete(l, "org.opencontainers.image.revision")
	}
	return l
}

// buildImage writes the release image of the goreleaser dist in o.Dist, a
// multi-platform index, to a new OCI image layout o.Out, tagged with the
// release's version. It returns the release it read.
func buildImage(o buildOptions) (release, error) {
	r, err := readRelease(o.Dist)
	if err != nil {
		return release{}, err
	}
	if _, err := os.Stat(o.Out); err == nil {
		return release{}, fmt.Errorf("write image layout: %s exists", o.Out)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return release{}, fmt.Errorf("write image layout: %w", err)
	}
	ca, err := readCACerts(o.CACerts)
	if err != nil {
		return release{}, err
	}
	// Whole seconds: tar headers keep them, and the label is RFC 3339.
	created := r.Date.Truncate(time.Second)
	base, err := newLayer(created, []entry{
		{name: "etc/", mode: 0o755},
		{name: "etc/ssl/", mode: 0o755},
		{name: "etc/ssl/certs/", mode: 0o755},
		{name: caPath[1:], mode: 0o644, data: ca},
		{name: "usr/", mode: 0o755},
		{name: "usr/local/", mode: 0o755},
		{name: "usr/local/bin/", mode: 0o755},
		{name: workDir[1:] + "/", mode: 0o755},
	})
	if err != nil {
		return release{}, err
	}
	lbl := labels(r)
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, pl := range platforms() {
		img, err := platformImage(r, pl, created, base, lbl)
		if err != nil {
			return release{}, err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: pl.OS, Architecture: pl.Architecture}},
		})
	}
	idx, ok := mutate.Annotations(idx, lbl).(v1.ImageIndex)
	if !ok {
		return release{}, errors.New("annotate image index: not an index")
	}
	p, err := layout.Write(o.Out, empty.Index)
	if err != nil {
		return release{}, fmt.Errorf("write image layout: %w", err)
	}
	if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{refNameAnnotation: r.Version})); err != nil {
		return release{}, fmt.Errorf("write image layout: %w", err)
	}
	return r, nil
}

// platformImage is the image of one platform: the base layer (CA bundle and
// folders) and a layer with that platform's binary.
func platformImage(r release, pl v1.Platform, created time.Time, base v1.Layer, lbl map[string]string) (v1.Image, error) {
	path := r.Binaries[pl.Architecture]
	if err := checkStatic(path, pl.Architecture); err != nil {
		return nil, err
	}
	bin, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	app, err := newLayer(created, []entry{{name: binaryPath[1:], mode: 0o755, data: bin}})
	if err != nil {
		return nil, err
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, History: v1.History{Created: v1.Time{Time: created}, CreatedBy: "CA certificates at " + caPath, Comment: "sascan hack/release/image"}},
		mutate.Addendum{Layer: app, History: v1.History{Created: v1.Time{Time: created}, CreatedBy: "sascan " + r.Version + " at " + binaryPath, Comment: "sascan hack/release/image"}},
	)
	if err != nil {
		return nil, fmt.Errorf("image for %s: %w", pl, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("image for %s: %w", pl, err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = pl.OS, pl.Architecture
	cf.Created = v1.Time{Time: created}
	cf.Config = v1.Config{
		Entrypoint: []string{binaryPath},
		User:       imageUser,
		WorkingDir: workDir,
		Env:        []string{"PATH=/usr/local/bin"},
		Labels:     lbl,
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("image for %s: %w", pl, err)
	}
	return img, nil
}

// entry is a file (data) or a folder (name ending in /) of a layer, owned by
// root.
type entry struct {
	name string
	mode int64
	data []byte
}

// newLayer builds a gzipped tar layer in memory, every entry dated created.
func newLayer(created time.Time, entries []entry) (v1.Layer, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, ModTime: created, Typeflag: tar.TypeReg, Size: int64(len(e.data))}
		if e.name[len(e.name)-1] == '/' {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("layer: %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, fmt.Errorf("layer: %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	blob := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(blob)), nil
	}, tarball.WithMediaType(types.OCILayer))
}
