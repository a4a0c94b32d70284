package ledger

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkRead1GB streams a generated 1 GiB audit log (LEDGER_BENCH_BYTES
// overrides the size) through the ledger and fails when the peak resident
// set grows by more than 256 MiB: memory must not follow the log's length.
// The log is written while it is read (a pipe), so it takes no disk and
// its size does not count. Two shapes: 2,000 accounts with repeated
// requests; and 5,000 accounts whose every request names another object
// (what the name and request caps bound), a fifth of them denied and a
// tenth impersonating another account. Memory follows the number of
// accounts (about 7 kB each), not the log's length. Legacy and bound tokens in both; a tenth
// of the events at level RequestResponse with a 4 KiB body.
//
//	go test ./ledger -run '^$' -bench Read1GB -benchtime 1x
func BenchmarkRead1GB(b *testing.B) {
	size := int64(1 << 30)
	if v := os.Getenv("LEDGER_BENCH_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		size = n
	}
	for _, sh := range []shape{
		{name: "accounts=2000", accounts: 2000, objects: 50},
		{name: "accounts=5000/distinct-names/denied/impersonated", accounts: 5000, objects: 1 << 30, denyEvery: 5, impersonateEvery: 10},
	} {
		b.Run(sh.name, func(b *testing.B) {
			for range b.N {
				runtime.GC()
				before := peakRSS(b)
				resetPeakRSS()
				pr, pw := io.Pipe()
				go func() { pw.CloseWithError(generate(pw, size, sh)) }()
				l := New()
				start := time.Now()
				if err := l.ReadFrom(context.Background(), "generated", pr); err != nil {
					b.Fatal(err)
				}
				l.Finish()
				took := time.Since(start)
				grown := peakRSS(b) - before
				b.ReportMetric(float64(size)/took.Seconds()/(1<<20), "MiB/s")
				b.ReportMetric(float64(grown)/(1<<20), "peakRSSGrowthMiB")
				b.ReportMetric(float64(l.Events), "events")
				if grown > 256<<20 {
					b.Fatalf("peak RSS grew by %d MiB reading %d MiB of audit log, more than 256 MiB", grown>>20, size>>20)
				}
				if l.Unparsed != 0 || int64(len(l.Accounts)) != min(int64(sh.accounts), l.Events) {
					b.Fatalf("unparsed %d, accounts %d, want %d", l.Unparsed, len(l.Accounts), sh.accounts)
				}
			}
		})
	}
}

// shape is what a generated log holds.
type shape struct {
	name              string
	accounts, objects int
	denyEvery         int // every nth request denied (0: none)
	impersonateEvery  int // every nth request impersonates the next account (0: none)
}

func generate(w io.Writer, size int64, sh shape) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	body := `,"requestObject":{"kind":"ConfigMap","data":{"blob":"` + strings.Repeat("x", 4096) + `"}}`
	verbs := []string{"get", "list", "watch", "update", "patch"}
	resources := []string{"pods", "configmaps", "secrets", "deployments", "leases", "events"}
	var written int64
	base := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; written < size; i++ {
		sa := i % sh.accounts
		ann := `"authorization.k8s.io/decision":"allow"`
		if sh.denyEvery > 0 && i%sh.denyEvery == 0 {
			ann = `"authorization.k8s.io/decision":"forbid"`
		}
		extra := `,"extra":{"authentication.kubernetes.io/pod-name":["p-` + strconv.Itoa(sa) + `"],"authentication.kubernetes.io/pod-uid":["u-` + strconv.Itoa(sa) + `"],"authentication.kubernetes.io/credential-id":["JTI=` + strconv.Itoa(i) + `"]}`
		if sa%10 == 0 {
			ann += `,"authentication.k8s.io/legacy-token":"x","authentication.k8s.io/legacy-token-manual-secret":"tok-` + strconv.Itoa(sa) + `"`
			extra = ""
		}
		imp := ""
		if sh.impersonateEvery > 0 && i%sh.impersonateEvery == 0 {
			next := (sa + 1) % sh.accounts
			imp = fmt.Sprintf(`"impersonatedUser":{"username":"system:serviceaccount:ns-%d:sa-%d"},`, next/20, next)
		}
		level, b := "Metadata", ""
		if i%10 == 0 {
			level, b = "RequestResponse", body
		}
		line := fmt.Sprintf(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"%s","auditID":"%d","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/ns-%d/%s","verb":"%s","user":{"username":"system:serviceaccount:ns-%d:sa-%d","groups":["system:serviceaccounts","system:authenticated"]%s},%s"sourceIPs":["10.%d.%d.%d"],"userAgent":"client/%d","objectRef":{"resource":"%s","namespace":"ns-%d","name":"obj-%d","apiVersion":"v1"},"responseStatus":{"code":200}%s,"requestReceivedTimestamp":"%s","stageTimestamp":"%s","annotations":{%s}}`+"\n",
			level, i, sa/20, resources[i%6], verbs[i%5], sa/20, sa, extra, imp, i%4, i%7, i%13, sa%3, resources[i%6], sa/20, i%sh.objects, b,
			base.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano), base.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano), ann)
		n, err := bw.WriteString(line)
		if err != nil {
			return err
		}
		written += int64(n)
	}
	return bw.Flush()
}

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func peakRSS(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status: peak RSS is measured on Linux")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	b.Skip("no VmHWM in /proc/self/status")
	return 0
}

// resetPeakRSS makes VmHWM start again from the current RSS (Linux 4.0+:
// writing 5 to clear_refs); where it cannot, the peak is the process's.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
