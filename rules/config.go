package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ErrConfig marks a config file that cannot be used.
var ErrConfig = errors.New("invalid config")

// Settings are the rule parameters (config key settings).
type Settings struct {
	TokenTTL struct {
		LowSeconds    int64 `yaml:"lowSeconds"`
		MediumSeconds int64 `yaml:"mediumSeconds"`
	} `yaml:"tokenTTL"`
	Legacy struct {
		ActiveDays int `yaml:"activeDays"`
		StaleDays  int `yaml:"staleDays"`
	} `yaml:"legacy"`
	AssumeAutomountWhenSAUnknown *bool `yaml:"assumeAutomountWhenSAUnknown"`
	Pre135ExecGetIsDangerous     *bool `yaml:"pre135ExecGetIsDangerous"`
	// SystemAllowList adds objects (globs) whose findings are lowered one
	// severity level, as recognised system components.
	SystemAllowList []AllowEntry `yaml:"systemAllowList"`
}

// AllowEntry matches objects by kind, namespace and name (globs; empty
// matches anything).
type AllowEntry struct {
	Kind      string `yaml:"kind"`
	Namespace string `yaml:"namespace"`
	Name      string `yaml:"name"`
}

// DefaultSettings returns the normative defaults.
func DefaultSettings() Settings {
	var s Settings
	s.TokenTTL.LowSeconds = 3600
	s.TokenTTL.MediumSeconds = 86400
	s.Legacy.ActiveDays = 30
	s.Legacy.StaleDays = 90
	return s
}

// Exception suppresses one rule on matching objects (globs on namespace and
// name) until it expires.
type Exception struct {
	Rule      string `yaml:"rule"`
	Namespace string `yaml:"namespace"`
	Kind      string `yaml:"kind"`
	Name      string `yaml:"name"`
	Reason    string `yaml:"reason"`
	Expires   string `yaml:"expires"`

	expires time.Time
	line    int
}

// Config is the .sascan.yaml file.
type Config struct {
	FailOn           string            `yaml:"failOn"`
	MinSeverity      string            `yaml:"minSeverity"`
	Enable           []string          `yaml:"enable"`
	Disable          []string          `yaml:"disable"`
	Severity         map[string]string `yaml:"severity"`
	KubeVersion      string            `yaml:"kubeVersion"`
	DefaultNamespace string            `yaml:"defaultNamespace"`
	Settings         Settings          `yaml:"settings"`
	Exceptions       []Exception       `yaml:"exceptions"`

	severity map[string]Severity
}

// DefaultConfig is the configuration without a file.
func DefaultConfig() *Config {
	return &Config{Settings: DefaultSettings()}
}

// ParseConfig reads a config file strictly: unknown keys, bad severities,
// bad dates and exceptions without a rule or reason are errors naming the
// file and line.
func ParseConfig(name string, r io.Reader) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrConfig, name, err)
	}
	c := DefaultConfig()
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	bad := func(line int, format string, args ...any) error {
		if line > 0 {
			return fmt.Errorf("%w: %s:%d: %s", ErrConfig, name, line, fmt.Sprintf(format, args...))
		}
		return fmt.Errorf("%w: %s: %s", ErrConfig, name, fmt.Sprintf(format, args...))
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, bad(0, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	// Keys and value shapes first, in the file's words: yaml.v3's own
	// errors name Go types.
	if kerr := checkKeys(&root, reflect.TypeFor[Config](), ""); kerr != nil {
		return nil, bad(kerr.line, "%s", kerr.msg)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, bad(0, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	lines := exceptionLines(&root)
	for _, s := range []struct{ key, val string }{{"failOn", c.FailOn}, {"minSeverity", c.MinSeverity}} {
		if s.val != "" {
			if _, err := ParseThreshold(s.val); err != nil {
				return nil, bad(keyLine(&root, s.key), "%s: %v", s.key, err)
			}
		}
	}
	c.severity = map[string]Severity{}
	for id, s := range c.Severity {
		v, err := ParseSeverity(s)
		if err != nil {
			return nil, bad(keyLine(&root, "severity"), "severity.%s: %v", id, err)
		}
		c.severity[strings.ToUpper(id)] = v
	}
	if c.KubeVersion != "" {
		if _, err := ParseKubeVersion(c.KubeVersion); err != nil {
			return nil, bad(keyLine(&root, "kubeVersion"), "%v", err)
		}
	}
	if c.Settings.TokenTTL.LowSeconds <= 0 || c.Settings.TokenTTL.MediumSeconds < c.Settings.TokenTTL.LowSeconds {
		return nil, bad(keyLine(&root, "settings"), "settings.tokenTTL: want 0 < lowSeconds <= mediumSeconds")
	}
	if c.Settings.Legacy.ActiveDays <= 0 || c.Settings.Legacy.StaleDays <= 0 {
		return nil, bad(keyLine(&root, "settings"), "settings.legacy: activeDays and staleDays must be positive")
	}
	for i := range c.Exceptions {
		e := &c.Exceptions[i]
		if i < len(lines) {
			e.line = lines[i]
		}
		if e.Rule == "" {
			return nil, bad(e.line, "exceptions[%d]: rule is required", i)
		}
		if strings.TrimSpace(e.Reason) == "" {
			return nil, bad(e.line, "exceptions[%d]: reason is required", i)
		}
		for _, g := range []string{e.Namespace, e.Name} {
			if _, err := compileGlob(g); err != nil {
				return nil, bad(e.line, "exceptions[%d]: %v", i, err)
			}
		}
		if e.Expires != "" {
			t, err := time.Parse("2006-01-02", e.Expires)
			if err != nil {
				return nil, bad(e.line, "exceptions[%d]: expires %q: want YYYY-MM-DD", i, e.Expires)
			}
			e.expires = t
		}
	}
	return c, nil
}

// SeverityOverride returns the configured severity for a rule, if any.
func (c *Config) SeverityOverride(id string) (Severity, bool) {
	s, ok := c.severity[strings.ToUpper(id)]
	return s, ok
}

// keyError is a key or value of the config file that its schema does not
// allow.
type keyError struct {
	line int
	msg  string
}

// checkKeys walks the YAML node n along the Go type t it decodes into and
// returns the first key t has no field for, or value of the wrong shape,
// with the allowed keys. path is the dotted path to n ("" at the top).
func checkKeys(n *yaml.Node, t reflect.Type, path string) *keyError {
	for n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			return nil
		}
		if n == nil {
			return nil
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	where := path
	if where == "" {
		where = "the top level"
	}
	switch t.Kind() {
	case reflect.Struct:
		keys, types := yamlFields(t)
		if n.Kind != yaml.MappingNode {
			return &keyError{n.Line, fmt.Sprintf("%s: want a mapping with the keys %s", where, strings.Join(keys, ", "))}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			ft, ok := types[k.Value]
			if !ok {
				in := ""
				if path != "" {
					in = " in " + path
				}
				return &keyError{k.Line, fmt.Sprintf("unknown key %q%s (allowed: %s)", k.Value, in, strings.Join(keys, ", "))}
			}
			if e := checkKeys(n.Content[i+1], ft, join(path, k.Value)); e != nil {
				return e
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return &keyError{n.Line, where + ": want a mapping"}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if e := checkKeys(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value)); e != nil {
				return e
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return &keyError{n.Line, where + ": want a list"}
		}
		for i, e := range n.Content {
			if err := checkKeys(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Bool:
		// As lenient as yaml.v3 (yes and on are true), in our words.
		if n.Decode(reflect.New(t).Interface()) != nil {
			return &keyError{n.Line, where + ": want true or false"}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n.Decode(reflect.New(t).Interface()) != nil {
			return &keyError{n.Line, where + ": want a whole number"}
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return &keyError{n.Line, where + ": want a single value"}
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields returns the keys of struct type t in declaration order and
// the type of each.
func yamlFields(t reflect.Type) ([]string, map[string]reflect.Type) {
	var keys []string
	types := map[string]reflect.Type{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		keys = append(keys, name)
		types[name] = f.Type
	}
	return keys, types
}

func keyLine(root *yaml.Node, key string) int {
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i].Line
			}
		}
	}
	return 0
}

func exceptionLines(root *yaml.Node) []int {
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "exceptions" && m.Content[i+1].Kind == yaml.SequenceNode {
			var out []int
			for _, e := range m.Content[i+1].Content {
				out = append(out, e.Line)
			}
			return out
		}
	}
	return nil
}
