package main

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/supervisor"
)

// S2 restart: from a child's panic to its next served call, with zero backoff.
// One caller makes a call that panics (it gets the failure), then a call that
// waits for the new instance; each cycle is timed from the start of the panicking
// call to the end of the served one. The floor: a goroutine serving a request
// channel that recovers the panic, answers it, and is replaced by a new goroutine
// that serves the next call.

func init() {
	register(Workload{
		ID:          "S2",
		Name:        "restart",
		Description: "1 caller, 20,000 cycles: a call that panics, then a call served by the restarted child (zero backoff)",
		Callers:     1,
		Calls:       20_000,
		Metric:      MetricRPS,
		Impls: []Impl{
			{Name: ImplTower, Run: s2Tower},
			{Name: ImplRaw, Run: s2Raw},
		},
	})
}

// s2Panic is the request that makes the service panic.
const s2Panic = ^uint64(0)

func s2Service() service.Service[uint64, uint64] {
	return service.Func[uint64, uint64](func(ctx context.Context, x uint64) (uint64, error) {
		if x == s2Panic {
			panic("s2: crash")
		}
		return echo(ctx, x)
	})
}

// s2Measure times cycles of cycle(i), which returns nil when the panicking call
// failed and the next one was served correctly.
func s2Measure(n int, cycle func(x uint64) error) Result {
	h := newHist()
	var ok int64
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	for i := range uint64(n) {
		c0 := time.Now()
		err := cycle(i)
		record(h, time.Since(c0))
		if err == nil {
			ok++
		}
	}
	elapsed := time.Since(t0)
	runtime.ReadMemStats(&after)
	r := rates(int64(n), ok, elapsed)
	r.Set("allocs_per_call", round(float64(after.Mallocs-before.Mallocs)/float64(n), 3))
	withLatency(&r, h)
	return r
}

func s2Tower(_ context.Context, s Spec) (Result, error) {
	sup, err := supervisor.New(supervisor.Config{Name: "s2", Intensity: 1 << 30, Period: time.Second})
	if err != nil {
		return Result{}, err
	}
	defer sup.Stop(context.Background())
	c, err := supervisor.Add(context.Background(), sup, supervisor.Spec[uint64, uint64]{
		Name: "child", Workers: 1, Backoff: supervisor.Backoff{None: true},
		Factory: func(context.Context) (service.Service[uint64, uint64], error) { return s2Service(), nil },
	})
	if err != nil {
		return Result{}, err
	}
	ref := c.Ref()
	ctx := context.Background()
	r := s2Measure(s.Calls, func(x uint64) error {
		if _, err := ref.Call(ctx, s2Panic); !errors.Is(err, service.ErrFailed) {
			return errWrongAnswer
		}
		if v, err := ref.Call(ctx, x); err != nil || v != x+1 {
			return errWrongAnswer
		}
		return nil
	})
	r.Set("restarts", c.Restarts())
	r.Note("the panic is recovered with its stack (service.PanicError), reported to the supervisor's loop, and a new instance made by the factory on a restart goroutine")
	return r, nil
}

func s2Raw(_ context.Context, s Spec) (Result, error) {
	type msg struct {
		x     uint64
		reply chan error
	}
	reqs := make(chan msg)
	svc := s2Service()
	var serve func()
	serve = func() {
		for m := range reqs {
			panicked := func() (p bool) {
				defer func() {
					if recover() != nil {
						p = true
						m.reply <- errors.New("panicked")
					}
				}()
				_, err := svc.Call(context.Background(), m.x)
				m.reply <- err
				return false
			}()
			if panicked {
				go serve() // a new goroutine takes the crashed one's place
				return
			}
		}
	}
	go serve()
	defer close(reqs)
	reply := make(chan error, 1)
	r := s2Measure(s.Calls, func(x uint64) error {
		reqs <- msg{s2Panic, reply}
		if <-reply == nil {
			return errWrongAnswer
		}
		reqs <- msg{x, reply}
		return <-reply
	})
	r.Note("recover without a stack, a new goroutine per crash")
	return r, nil
}
