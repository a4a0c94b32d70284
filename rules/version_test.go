package rules

import "testing"

func TestParseKubeVersion(t *testing.T) {
	for in, want := range map[string]KubeVersion{
		"1.34":          {1, 34, true},
		"v1.34":         {1, 34, true},
		" v1.35.2 ":     {1, 35, true},
		"v1.29.3+k3s1":  {1, 29, true},
		"v1.30.1-gke.1": {1, 30, true},
		"1.31+":         {1, 31, true},
	} {
		got, err := ParseKubeVersion(in)
		if err != nil || got != want {
			t.Errorf("ParseKubeVersion(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1", "2.0", "x.y", "latest"} {
		if _, err := ParseKubeVersion(in); err == nil {
			t.Errorf("ParseKubeVersion(%q): no error", in)
		}
	}
}
