package balance

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
)

// benchBalancer returns a balancer over n always-ready endpoints behind the
// given metric, once all are in its set.
func benchBalancer(b *testing.B, n int, policy Policy, metric func(service.Service[int, int]) service.Service[int, int]) *Balancer[int, int, int] {
	b.Helper()
	entries := make([]discover.Entry[int, discover.Endpoint[int, int]], n)
	for i := range entries {
		var svc service.Service[int, int] = readyEcho{}
		entries[i] = discover.Entry[int, discover.Endpoint[int, int]]{Key: i, Value: discover.Endpoint[int, int]{Service: metric(svc)}}
	}
	src, err := discover.NewStatic(entries...)
	if err != nil {
		b.Fatal(err)
	}
	bal, err := New(src, WithPolicy(policy))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = bal.Stop(context.Background()) })
	for deadline := time.Now().Add(10 * time.Second); bal.Len() < n; {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d endpoints", bal.Len(), n)
		}
		time.Sleep(time.Millisecond)
	}
	return bal
}

// readyEcho is an endpoint with a readiness (always ready) and no cost.
type readyEcho struct{}

func (readyEcho) Call(_ context.Context, x int) (int, error) { return x + 1, nil }
func (readyEcho) Ready(context.Context) error                { return nil }
func (readyEcho) TryReady() error                            { return nil }

func pending(s service.Service[int, int]) service.Service[int, int] {
	p, _ := load.NewPending(s)
	return p
}

func peak(s service.Service[int, int]) service.Service[int, int] {
	p, _ := load.NewPeakEWMA(s)
	return p
}

// BenchmarkPick measures one pick: the bar is <= 100 ns and 0 allocs
// over 1,024 endpoints.
func BenchmarkPick(b *testing.B) {
	for _, c := range []struct {
		name   string
		policy Policy
		metric func(service.Service[int, int]) service.Service[int, int]
	}{
		{"p2c-pending", P2C, pending},
		{"p2c-peakewma", P2C, peak},
		{"weighted-pending", WeightedP2C, pending},
		{"rr-pending", RoundRobin, pending},
	} {
		for _, n := range []int{8, 128, 1024} {
			b.Run(fmt.Sprintf("%s/%d", c.name, n), func(b *testing.B) {
				bal := benchBalancer(b, n, c.policy, c.metric)
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if e, _ := bal.pick(); e == nil {
						b.Fatal("no endpoint")
					}
				}
			})
		}
	}
	b.Run("least-pending/1024", func(b *testing.B) {
		bal := benchBalancer(b, 1024, LeastLoaded, pending)
		b.ReportAllocs()
		for b.Loop() {
			if e, _ := bal.pick(); e == nil {
				b.Fatal("no endpoint")
			}
		}
	})
}

// BenchmarkCall is a whole call through the balancer over 16 endpoints, in
// parallel.
func BenchmarkCall(b *testing.B) {
	bal := benchBalancer(b, 16, P2C, pending)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := bal.Call(ctx, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}
