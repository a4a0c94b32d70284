// Command gendump writes a synthetic manifest dump for benchmarks:
// go run ./internal/gen/gendump -n 100000 -profile rbac-heavy > /tmp/dump.yaml
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/sascan/sascan/internal/gen"
)

func main() {
	n := flag.Int("n", 10000, "number of objects")
	seed := flag.Uint64("seed", 1, "random seed")
	profile := flag.String("profile", string(gen.ProfileMix), "mix, rbac-heavy, paths or dense")
	flag.Parse()
	if err := gen.WriteProfile(os.Stdout, gen.Profile(*profile), *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gendump:", err)
		os.Exit(1)
	}
}
