package filter_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/filter"
)

var (
	echo      = service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) { return x + 1, nil })
	errTooBig = errors.New("too big")
)

func small(x uint64) error {
	if x > 1<<62 {
		return errTooBig
	}
	return nil
}

func bench(b *testing.B, svc service.Service[uint64, uint64], req uint64) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = svc.Call(ctx, req)
	}
}

// BenchmarkBareCall is the floor: the echo service through its interface.
func BenchmarkBareCall(b *testing.B) { bench(b, echo, 1) }

// BenchmarkRawCheck is the hand-written equivalent of a filter: an if in front
// of the call.
func BenchmarkRawCheck(b *testing.B) {
	var svc service.Service[uint64, uint64] = service.Func[uint64, uint64](func(ctx context.Context, x uint64) (uint64, error) {
		if err := small(x); err != nil {
			return 0, err
		}
		return echo.Call(ctx, x)
	})
	bench(b, svc, 1)
}

func BenchmarkAccept(b *testing.B) {
	f, err := filter.New[uint64, uint64](echo, small)
	if err != nil {
		b.Fatal(err)
	}
	bench(b, f, 1)
}

func BenchmarkAcceptAsync(b *testing.B) {
	f, err := filter.NewAsync[uint64, uint64](echo, func(_ context.Context, x uint64) error { return small(x) })
	if err != nil {
		b.Fatal(err)
	}
	bench(b, f, 1)
}

func BenchmarkAcceptTransform(b *testing.B) {
	f, err := filter.NewTransform[uint64, uint64](echo, func(x uint64) (uint64, error) { return x, small(x) })
	if err != nil {
		b.Fatal(err)
	}
	bench(b, f, 1)
}

// BenchmarkReject allocates the *RejectedError.
func BenchmarkReject(b *testing.B) {
	f, err := filter.New[uint64, uint64](echo, small, filter.WithEvents(func(service.Event) {}))
	if err != nil {
		b.Fatal(err)
	}
	bench(b, f, 1<<63)
}
