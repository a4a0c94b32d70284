package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/x509"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"sigs.k8s.io/yaml"
)

const hostCABundle = "/etc/ssl/certs/ca-certificates.crt"

// repoRoot is the sascan checkout this module sits in.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".goreleaser.yaml")); err != nil {
		t.Fatalf("no .goreleaser.yaml in %s: %v", root, err)
	}
	return root
}

// snapshotDist runs the release's goreleaser build, as .goreleaser.yaml
// states it but for linux only, as a snapshot into a temporary dist folder,
// and returns that folder. The binaries carry the release's ldflags and the
// snapshot's version.
func snapshotDist(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	found := false
	builds, _ := cfg["builds"].([]any)
	for _, bld := range builds {
		if m, ok := bld.(map[string]any); ok && m["id"] == buildID {
			m["goos"] = []any{"linux"}
			found = true
		}
	}
	if !found {
		t.Fatalf(".goreleaser.yaml has no build %q", buildID)
	}
	tmp := t.TempDir()
	dist := filepath.Join(tmp, "dist")
	cfg["dist"] = dist
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(tmp, "goreleaser.yaml")
	if err := os.WriteFile(cfgFile, out, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "-modfile="+filepath.Join(root, "hack", "release", "go.mod"), "goreleaser",
		"build", "--snapshot", "--clean", "--config", cfgFile)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("goreleaser build: %v\n%s", err, out)
	}
	return dist
}

// distMetadata is what goreleaser wrote in dist/metadata.json.
type distMetadata struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
}

// distBinary is the path of the linux binary goreleaser built for arch,
// found by goreleaser's dist folder naming, not through artifacts.json.
func distBinary(t *testing.T, dist, arch string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dist, buildID+"_linux_"+arch+"_*", "sascan"))
	if err != nil || len(m) != 1 {
		t.Fatalf("the linux/%s binary in %s: %v %v", arch, dist, m, err)
	}
	return m[0]
}

// fileInfo is a file of an image's filesystem.
type fileInfo struct {
	Mode     int64
	UID, GID int
	Dir      bool
	Data     []byte
}

// imageFiles flattens img's layers (mutate.Extract cleans the names: no
// trailing slash on folders).
func imageFiles(t *testing.T, img v1.Image) map[string]fileInfo {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]fileInfo{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = fileInfo{Mode: h.Mode, UID: h.Uid, GID: h.Gid, Dir: h.Typeflag == tar.TypeDir, Data: data}
	}
	return files
}

func TestReleaseImage(t *testing.T) {
	dist := snapshotDist(t)
	var meta distMetadata
	if err := readJSON(filepath.Join(dist, "metadata.json"), &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Version == "" {
		t.Fatal("goreleaser wrote no version")
	}
	date, err := time.Parse(time.RFC3339Nano, meta.Date)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := os.ReadFile(hostCABundle)
	if err != nil {
		t.Fatalf("%v (apt-get install ca-certificates)", err)
	}

	out := filepath.Join(t.TempDir(), "image")
	if _, err := buildImage(buildOptions{Dist: dist, Out: out, CACerts: hostCABundle}); err != nil {
		t.Fatal(err)
	}

	wantLabels := map[string]string{
		"org.opencontainers.image.title":       "sascan",
		"org.opencontainers.image.description": "Audits Kubernetes ServiceAccounts and their tokens",
		"org.opencontainers.image.url":         "https://github.com/sascan/sascan",
		"org.opencontainers.image.source":      "https://github.com/sascan/sascan",
		"org.opencontainers.image.licenses":    "Apache-2.0",
		"org.opencontainers.image.version":     meta.Version,
		"org.opencontainers.image.created":     date.UTC().Format(time.RFC3339),
	}
	if meta.Commit != "none" {
		wantLabels["org.opencontainers.image.revision"] = meta.Commit
	}

	// Read the layout back as a registry client would.
	top, err := layout.ImageIndexFromPath(out)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(tm.Manifests) != 1 || !tm.Manifests[0].MediaType.IsIndex() {
		t.Fatalf("index.json: want one image index, got %+v", tm.Manifests)
	}
	if got := tm.Manifests[0].Annotations[refNameAnnotation]; got != meta.Version {
		t.Errorf("index.json tag %q, want the version %q", got, meta.Version)
	}
	idx, err := top.ImageIndex(tm.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantLabels, im.Annotations); diff != "" {
		t.Errorf("index annotations (-want +got):\n%s", diff)
	}
	var gotPlatforms []string
	for _, d := range im.Manifests {
		gotPlatforms = append(gotPlatforms, d.Platform.String())
	}
	if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64"}, gotPlatforms); diff != "" {
		t.Fatalf("platforms (-want +got):\n%s", diff)
	}

	ran := false
	for _, d := range im.Manifests {
		arch := d.Platform.Architecture
		t.Run(d.Platform.String(), func(t *testing.T) {
			img, err := idx.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if cf.OS != "linux" || cf.Architecture != arch {
				t.Errorf("config platform %s/%s, want linux/%s", cf.OS, cf.Architecture, arch)
			}
			wantConfig := v1.Config{
				Entrypoint: []string{"/usr/local/bin/sascan"},
				User:       "65532:65532",
				WorkingDir: "/work",
				Env:        []string{"PATH=/usr/local/bin"},
				Labels:     wantLabels,
			}
			if diff := cmp.Diff(wantConfig, cf.Config); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			if u := cf.Config.User; u == "" || u == "0" || strings.HasPrefix(u, "0:") || strings.HasPrefix(u, "root") {
				t.Errorf("user %q is root", u)
			}

			files := imageFiles(t, img)
			wantFiles := map[string]fileInfo{
				"etc":                               {Mode: 0o755, Dir: true},
				"etc/ssl":                           {Mode: 0o755, Dir: true},
				"etc/ssl/certs":                     {Mode: 0o755, Dir: true},
				"etc/ssl/certs/ca-certificates.crt": {Mode: 0o644},
				"usr":                               {Mode: 0o755, Dir: true},
				"usr/local":                         {Mode: 0o755, Dir: true},
				"usr/local/bin":                     {Mode: 0o755, Dir: true},
				"usr/local/bin/sascan":              {Mode: 0o755},
				"work":                              {Mode: 0o755, Dir: true},
			}
			if diff := cmp.Diff(wantFiles, files, cmpopts.IgnoreFields(fileInfo{}, "Data")); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			if got := files["etc/ssl/certs/ca-certificates.crt"].Data; !bytes.Equal(got, ca) {
				t.Errorf("the CA bundle (%d bytes) is not %s (%d bytes)", len(got), hostCABundle, len(ca))
			} else if !x509.NewCertPool().AppendCertsFromPEM(got) {
				t.Error("the CA bundle holds no certificate")
			}
			bin := files["usr/local/bin/sascan"].Data
			want, err := os.ReadFile(distBinary(t, dist, arch))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(bin, want) {
				t.Fatalf("the image's binary (%d bytes) is not goreleaser's linux/%s binary (%d bytes)", len(bin), arch, len(want))
			}
			f, err := elf.NewFile(bytes.NewReader(bin))
			if err != nil {
				t.Fatal(err)
			}
			if f.Machine != elfMachine(arch) {
				t.Errorf("binary for %s is %s", arch, f.Machine)
			}
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP {
					t.Error("binary is dynamically linked")
				}
			}

			if runtime.GOOS != "linux" || runtime.GOARCH != arch {
				return
			}
			ran = true
			exe := filepath.Join(t.TempDir(), "sascan")
			if err := os.WriteFile(exe, bin, 0o755); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(exe, "version", "-o", "json").Output()
			if err != nil {
				t.Fatalf("%s version: %v", exe, err)
			}
			var v struct{ Version, Commit string }
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("sascan version -o json: %v\n%s", err, out)
			}
			if v.Version != meta.Version {
				t.Errorf("the image's sascan says version %q, the release is %q", v.Version, meta.Version)
			}
			if meta.Commit != "none" && (len(v.Commit) < 7 || !strings.HasPrefix(meta.Commit, v.Commit)) {
				t.Errorf("the image's sascan says commit %q, the release is %q", v.Commit, meta.Commit)
			}
		})
	}
	if !ran && runtime.GOOS == "linux" {
		t.Errorf("no image for the host's platform linux/%s: its binary was not run", runtime.GOARCH)
	}

	t.Run("push", func(t *testing.T) {
		srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
		defer srv.Close()
		repo := strings.TrimPrefix(srv.URL, "http://") + "/sascan/sascan"
		got, err := pushImage(context.Background(), out, repo)
		if err != nil {
			t.Fatal(err)
		}
		if want := repo + "@" + tm.Manifests[0].Digest.String(); got.String() != want {
			t.Errorf("pushed %s, want %s", got, want)
		}
		tag, err := name.NewTag(repo + ":" + meta.Version)
		if err != nil {
			t.Fatal(err)
		}
		pulled, err := remote.Index(tag)
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := pulled.Digest(); d != tm.Manifests[0].Digest {
			t.Errorf("%s has digest %s, want %s", tag, d, tm.Manifests[0].Digest)
		}
		pm, err := pulled.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range pm.Manifests {
			img, err := pulled.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Image(img); err != nil {
				t.Errorf("%s: %v", d.Platform, err)
			}
		}
	})

	t.Run("refuses an existing layout", func(t *testing.T) {
		_, err := buildImage(buildOptions{Dist: dist, Out: out, CACerts: hostCABundle})
		if err == nil || !strings.Contains(err.Error(), "exists") {
			t.Errorf("got %v, want an error that %s exists", err, out)
		}
	})

	// A copy of dist's metadata.json and an edited artifacts.json (its paths
	// are absolute: the binaries stay where they are): the tool must not
	// build from it.
	edited := func(t *testing.T, edit func([]map[string]any) []map[string]any) string {
		t.Helper()
		d := t.TempDir()
		meta, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "metadata.json"), meta, 0o644); err != nil {
			t.Fatal(err)
		}
		var arts []map[string]any
		if err := readJSON(filepath.Join(dist, "artifacts.json"), &arts); err != nil {
			t.Fatal(err)
		}
		for _, a := range arts {
			if p, _ := a["path"].(string); !filepath.IsAbs(p) {
				t.Fatalf("artifacts.json: relative path %q", p)
			}
		}
		b, err := json.Marshal(edit(arts))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "artifacts.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tc := range []struct {
		name string
		edit func([]map[string]any) []map[string]any
		want string
	}{
		{"refuses a dist without an arm64 binary", func(arts []map[string]any) []map[string]any {
			var keep []map[string]any
			for _, a := range arts {
				if a["goarch"] != "arm64" {
					keep = append(keep, a)
				}
			}
			return keep
		}, "no linux/arm64 binary"},
		{"refuses a binary of another architecture", func(arts []map[string]any) []map[string]any {
			for _, a := range arts {
				if a["goarch"] == "arm64" {
					a["goarch"] = "amd64"
				} else if a["goarch"] == "amd64" {
					a["goarch"] = "arm64"
				}
			}
			return arts
		}, "machine"},
		{"refuses a dynamically linked binary", func(arts []map[string]any) []map[string]any {
			for _, a := range arts {
				if a["goarch"] == runtime.GOARCH {
					a["path"] = "/bin/true" // Debian's is dynamically linked
				}
			}
			return arts
		}, "dynamically linked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := edited(t, tc.edit)
			_, err := buildImage(buildOptions{Dist: d, Out: filepath.Join(t.TempDir(), "image"), CACerts: hostCABundle})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}

	t.Run("refuses a CA file without certificates", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "ca.crt")
		if err := os.WriteFile(empty, []byte("not PEM\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := buildImage(buildOptions{Dist: dist, Out: filepath.Join(t.TempDir(), "image"), CACerts: empty})
		if err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
			t.Errorf("got %v, want an error about the CA file", err)
		}
	})
}
