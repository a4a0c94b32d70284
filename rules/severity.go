package rules

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Severity is an ordered finding severity. The zero value is invalid.
type Severity int

const (
	SeverityInvalid Severity = iota
	Info
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"", "info", "low", "medium", "high", "critical"}

// ParseSeverity reads a severity name, case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if i > 0 && strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return SeverityInvalid, fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", s)
}

// ParseThreshold reads a --fail-on or --min-severity value (or failOn,
// minSeverity in the config): a severity, or "none", which is
// SeverityInvalid (nothing fails, nothing is dropped).
func ParseThreshold(s string) (Severity, error) {
	if strings.EqualFold(s, "none") {
		return SeverityInvalid, nil
	}
	if v, err := ParseSeverity(s); err == nil {
		return v, nil
	}
	return SeverityInvalid, fmt.Errorf("unknown severity %q (want none, info, low, medium, high or critical)", s)
}

func (s Severity) String() string {
	if s <= SeverityInvalid || s > Critical {
		return "invalid"
	}
	return severityNames[s]
}

// Valid reports whether s is one of the five severities.
func (s Severity) Valid() bool { return s >= Info && s <= Critical }

func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

func (s *Severity) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	v, err := ParseSeverity(str)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Confidence says how sure a finding is.
type Confidence string

const (
	Certain   Confidence = "certain"
	Likely    Confidence = "likely"
	Heuristic Confidence = "heuristic"
)

func (c Confidence) valid() bool { return c == Certain || c == Likely || c == Heuristic }
