package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

// releaseVersion is a version goreleaser stamps from a tag vX.Y.Z: the tag
// without its v.
var releaseVersion = regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`)

// cronJobImages returns the images of the containers of the CronJob in
// file, in order.
func cronJobImages(file string) ([]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var cj struct {
		Kind string `json:"kind"`
		Spec struct {
			JobTemplate struct {
				Spec struct {
					Template struct {
						Spec struct {
							Containers []struct {
								Image string `json:"image"`
							} `json:"containers"`
						} `json:"spec"`
					} `json:"template"`
				} `json:"spec"`
			} `json:"jobTemplate"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(b, &cj); err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	if cj.Kind != "CronJob" {
		return nil, fmt.Errorf("read %s: kind %q, want CronJob", file, cj.Kind)
	}
	var images []string
	for _, c := range cj.Spec.JobTemplate.Spec.Template.Spec.Containers {
		images = append(images, c.Image)
	}
	return images, nil
}

// checkDeploy returns an error unless every container of the CronJob in
// file that runs repo runs it at a release version, and at least one does.
// With version set, that release version must be version: a release fails
// before it builds anything when deploy/cronjob.yaml does not point at the
// image the release is about to push.
func checkDeploy(file, repo, version string) error {
	images, err := cronJobImages(file)
	if err != nil {
		return err
	}
	n := 0
	for _, img := range images {
		tag, ok := strings.CutPrefix(img, repo+":")
		if !ok {
			continue
		}
		n++
		if !releaseVersion.MatchString(tag) {
			return fmt.Errorf("%s runs %s: want a release version (%s:X.Y.Z), not %q", file, img, repo, tag)
		}
		if version != "" && tag != version {
			return fmt.Errorf("%s runs %s, but this release is %s: set the image to %s:%s, commit, and tag again", file, img, version, repo, version)
		}
	}
	if n == 0 {
		return fmt.Errorf("%s: no container runs %s:<version>", file, repo)
	}
	return nil
}
