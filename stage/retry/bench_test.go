package retry_test

import (
	"context"
	"testing"
	"time"

	"github.com/tower-go/tower/stage/retry"
)

// BenchmarkRetryW6 is workload W6: up to 3 attempts over an echo that fails every
// 5th call. ns/op is per caller's call.
func BenchmarkRetryW6(b *testing.B) {
	p, err := retry.NewPolicy[uint64, uint64](3)
	if err != nil {
		b.Fatal(err)
	}
	r, err := retry.New[uint64, uint64](flaky(5), p)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	var ok int
	for b.Loop() {
		if _, err := r.Call(ctx, 1); err == nil {
			ok++
		}
	}
	if ok != b.N {
		b.Fatalf("ok %d of %d calls", ok, b.N)
	}
}

// BenchmarkRetryW6Baseline is the raw-Go loop doing the same: up to 3 attempts.
func BenchmarkRetryW6Baseline(b *testing.B) {
	echo := flaky(5)
	ctx := context.Background()
	b.ReportAllocs()
	var ok int
	for b.Loop() {
		for attempt := 1; attempt <= 3; attempt++ {
			if _, err := echo(ctx, 1); err == nil {
				ok++
				break
			}
		}
	}
	if ok != b.N {
		b.Fatalf("ok %d of %d calls", ok, b.N)
	}
}

// BenchmarkRetryW6Budget is W6 with a shared budget (a deposit per call, a
// withdrawal per retry).
func BenchmarkRetryW6Budget(b *testing.B) {
	p, err := retry.NewPolicy[uint64, uint64](3)
	if err != nil {
		b.Fatal(err)
	}
	budget, err := retry.NewBudget(10*time.Second, 10, 1)
	if err != nil {
		b.Fatal(err)
	}
	r, err := retry.New[uint64, uint64](flaky(5), p, retry.WithBudget(budget))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = r.Call(ctx, 1)
	}
}

// BenchmarkRetrySuccess is the per-call cost when no retry is needed.
func BenchmarkRetrySuccess(b *testing.B) {
	p, err := retry.NewPolicy[uint64, uint64](3)
	if err != nil {
		b.Fatal(err)
	}
	r, err := retry.New[uint64, uint64](flaky(1<<62), p)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = r.Call(ctx, 1)
	}
}

func BenchmarkBudgetDeposit(b *testing.B) {
	budget, err := retry.NewBudget(10*time.Second, 10, 0.2)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		budget.Deposit()
	}
}

func BenchmarkBudgetDepositParallel(b *testing.B) {
	budget, err := retry.NewBudget(10*time.Second, 10, 0.2)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			budget.Deposit()
		}
	})
}

func BenchmarkBackoffDelay(b *testing.B) {
	bo := retry.Backoff{Min: time.Millisecond, Max: time.Second, Factor: 2}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = n%10 + 1
		_ = bo.Delay(n)
	}
}
