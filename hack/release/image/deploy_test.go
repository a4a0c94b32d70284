package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goreleaser/go-shellwords"
	"sigs.k8s.io/yaml"
)

func TestCheckDeploy(t *testing.T) {
	cronJob := func(images ...string) string {
		s := "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n"
		for _, img := range images {
			s += "          - name: c\n            image: " + img + "\n"
		}
		return s
	}
	for _, tc := range []struct {
		name, file, version string
		want                string // "" for no error, else part of the error
	}{
		{"the release's version", cronJob("ghcr.io/sascan/sascan:1.2.3"), "1.2.3", ""},
		{"a prerelease", cronJob("ghcr.io/sascan/sascan:1.3.0-rc.1"), "1.3.0-rc.1", ""},
		{"another container beside it", cronJob("busybox:1.36", "ghcr.io/sascan/sascan:1.2.3"), "1.2.3", ""},
		{"an older release", cronJob("ghcr.io/sascan/sascan:1.2.2"), "1.2.3", "but this release is 1.2.3"},
		{"a snapshot: any release", cronJob("ghcr.io/sascan/sascan:1.2.2"), "", ""},
		{"latest", cronJob("ghcr.io/sascan/sascan:latest"), "", `not "latest"`},
		{"the tag with its v", cronJob("ghcr.io/sascan/sascan:v1.2.3"), "1.2.3", `not "v1.2.3"`},
		{"one of two is old", cronJob("ghcr.io/sascan/sascan:1.2.3", "ghcr.io/sascan/sascan:1.2.2"), "1.2.3", "1.2.2, but this release"},
		{"no tag", cronJob("ghcr.io/sascan/sascan"), "1.2.3", "no container runs"},
		{"another image", cronJob("ghcr.io/example/sascan:1.2.3"), "1.2.3", "no container runs"},
		{"not a CronJob", "apiVersion: v1\nkind: Pod\n", "1.2.3", `kind "Pod"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "cronjob.yaml")
			if err := os.WriteFile(f, []byte(tc.file), 0o644); err != nil {
				t.Fatal(err)
			}
			err := checkDeploy(f, defaultRepo, tc.version)
			if tc.want == "" && err != nil {
				t.Errorf("got %v, want no error", err)
			}
			if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// deployTag is the tag of ghcr.io/sascan/sascan deploy/cronjob.yaml runs.
func deployTag(t *testing.T) string {
	t.Helper()
	images, err := cronJobImages(filepath.Join(repoRoot(t), "deploy", "cronjob.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range images {
		if tag, ok := strings.CutPrefix(img, defaultRepo+":"); ok {
			return tag
		}
	}
	t.Fatalf("deploy/cronjob.yaml runs no %s: %v", defaultRepo, images)
	return ""
}

// The shipped CronJob runs a release of the image, as the user the image
// runs as.
func TestDeployCronJob(t *testing.T) {
	root := repoRoot(t)
	file := filepath.Join(root, "deploy", "cronjob.yaml")
	if err := checkDeploy(file, defaultRepo, deployTag(t)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cj struct {
		Spec struct {
			JobTemplate struct {
				Spec struct {
					Template struct {
						Spec struct {
							SecurityContext struct {
								RunAsNonRoot *bool  `json:"runAsNonRoot"`
								RunAsUser    *int64 `json:"runAsUser"`
							} `json:"securityContext"`
						} `json:"spec"`
					} `json:"template"`
				} `json:"spec"`
			} `json:"jobTemplate"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(b, &cj); err != nil {
		t.Fatal(err)
	}
	sc := cj.Spec.JobTemplate.Spec.Template.Spec.SecurityContext
	uid, _, _ := strings.Cut(imageUser, ":")
	if sc.RunAsUser == nil {
		t.Errorf("deploy/cronjob.yaml sets no runAsUser, want the image's user %s", uid)
	} else if got := strconv.FormatInt(*sc.RunAsUser, 10); got != uid {
		t.Errorf("deploy/cronjob.yaml runAsUser %s, want the image's user %s", got, uid)
	}
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Error("deploy/cronjob.yaml does not set runAsNonRoot")
	}
}

// The before hook in .goreleaser.yaml, run as goreleaser runs it (templated,
// split into words, from the repository root), stops a release whose
// version is not the one deploy/cronjob.yaml runs, and lets the right one
// and snapshots through.
func TestReleaseHookChecksDeploy(t *testing.T) {
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Before struct {
			Hooks []string `json:"hooks"`
		} `json:"before"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	var hook string
	for _, h := range cfg.Before.Hooks {
		if strings.Contains(h, "check-deploy") {
			hook = h
		}
	}
	if hook == "" {
		t.Fatal(".goreleaser.yaml has no before hook that runs check-deploy")
	}
	tag := deployTag(t)
	for _, tc := range []struct {
		name, version, snapshot string
		ok                      bool
	}{
		{"the CronJob's version", tag, "false", true},
		{"another version", tag + "-other", "false", false},
		{"a snapshot", "0.0.0-next", "true", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := strings.NewReplacer("{{ .Version }}", tc.version, "{{ .IsSnapshot }}", tc.snapshot).Replace(hook)
			if strings.Contains(s, "{{") {
				t.Fatalf("hook %q: a template this test does not fill", hook)
			}
			args, err := shellwords.Parse(s)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Dir = root
			out, err := cmd.CombinedOutput()
			if tc.ok && err != nil {
				t.Errorf("%s: %v\n%s", s, err, out)
			}
			if !tc.ok && (err == nil || !strings.Contains(string(out), "but this release is "+tc.version)) {
				t.Errorf("%s: got %v, want it to stop the release\n%s", s, err, out)
			}
		})
	}
}
