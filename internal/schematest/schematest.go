// Package schematest checks JSON reports against docs/json-schema.json in
// tests.
package schematest

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/xeipuuv/gojsonschema"
)

// schema is docs/json-schema.json, found from this file, so that tests in
// any package and any working directory read the same one.
var schema = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "docs", "json-schema.json")
}()

// Check fails t unless report is a sascan JSON report as the schema
// describes it.
func Check(t testing.TB, report []byte) {
	t.Helper()
	res, err := gojsonschema.Validate(gojsonschema.NewReferenceLoader("file://"+schema), gojsonschema.NewBytesLoader(report))
	if err != nil {
		t.Fatalf("validate against %s: %v", schema, err)
	}
	if !res.Valid() {
		t.Fatalf("the report does not match docs/json-schema.json: %v\n%s", res.Errors(), report)
	}
}
