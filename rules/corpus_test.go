package rules

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sharedCorpus is the corpus of real-world manifests kept beside the
// checkout (../shared/corpus from the repository root). A plain clone of
// the repository does not have it.
const sharedCorpus = "../../shared/corpus"

// corpusDirs returns []string{dir} when the folder dir exists. When it does
// not, it returns nil and reports so as a "corpus" subtest that is skipped
// with the reason, or fails the test when the environment says CI=true:
// CI (.ci/run) must run every comparison over the corpus.
func corpusDirs(t *testing.T, dir string) []string {
	t.Helper()
	use, fail, msg := checkCorpus(dir, os.Getenv("CI"))
	switch {
	case use:
		return []string{dir}
	case fail:
		t.Fatal(msg)
	default:
		t.Run("corpus", func(t *testing.T) { t.Skip(msg) })
	}
	return nil
}

// checkCorpus decides whether the corpus folder dir is used, and when it is
// not, whether that fails the test (ci is the CI environment variable).
func checkCorpus(dir, ci string) (use, fail bool, msg string) {
	info, err := os.Stat(dir)
	if err == nil && info.IsDir() {
		return true, false, ""
	}
	why := dir + " is not there (it sits beside the checkout, a clone does not have it)"
	if err == nil {
		why = dir + " is not a folder"
	}
	if on, _ := strconv.ParseBool(ci); on {
		return false, true, "CI=" + ci + ": " + why + ", and CI must run every test"
	}
	return false, false, why + ": skipping the comparison over it"
}

func TestCheckCorpus(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "corpus")
	type result struct {
		Use, Fail bool
		Msg       string
	}
	tests := []struct {
		name, dir, ci string
		want          result
	}{
		{"present", dir, "", result{Use: true}},
		{"present under CI", dir, "true", result{Use: true}},
		{"absent", missing, "", result{Msg: missing + " is not there (it sits beside the checkout, a clone does not have it): skipping the comparison over it"}},
		{"absent, CI=false", missing, "false", result{Msg: missing + " is not there (it sits beside the checkout, a clone does not have it): skipping the comparison over it"}},
		{"absent under CI", missing, "true", result{Fail: true, Msg: "CI=true: " + missing + " is not there (it sits beside the checkout, a clone does not have it), and CI must run every test"}},
		{"a file", file, "", result{Msg: file + " is not a folder: skipping the comparison over it"}},
		{"a file under CI", file, "1", result{Fail: true, Msg: "CI=1: " + file + " is not a folder, and CI must run every test"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got result
			got.Use, got.Fail, got.Msg = checkCorpus(tc.dir, tc.ci)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("checkCorpus(-want +got):\n%s", diff)
			}
		})
	}
}
