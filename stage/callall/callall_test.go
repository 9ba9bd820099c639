package callall_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/callall"
)

type (
	result  = callall.Result[int, int]
	calls   = callall.Calls[int, int]
	starter = func(context.Context, service.Service[int, int], <-chan int, int) (*calls, error)
	runner  = func(context.Context, service.Service[int, int], <-chan int, int) (<-chan result, error)
)

var modes = []struct {
	name  string
	run   runner // the run's results channel, for a consumer that reads to the end
	start starter
}{
	{"Ordered", resultsOf(callall.Ordered[int, int]), callall.Ordered[int, int]},
	{"Unordered", resultsOf(callall.Unordered[int, int]), callall.Unordered[int, int]},
}

func resultsOf(start starter) runner {
	return func(ctx context.Context, svc service.Service[int, int], in <-chan int, n int) (<-chan result, error) {
		c, err := start(ctx, svc, in, n)
		if err != nil {
			return nil, err
		}
		return c.Results(), nil
	}
}

// feed returns a closed channel holding reqs.
func feed(reqs ...int) <-chan int {
	in := make(chan int, len(reqs))
	for _, r := range reqs {
		in <- r
	}
	close(in)
	return in
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func collect(out <-chan result) []result {
	var rs []result
	for r := range out {
		rs = append(rs, r)
	}
	return rs
}

// latency gives request n a pseudo-random service time of 0 to 12 ms.
func latency(n int) time.Duration { return time.Duration((n*7919)%13) * time.Millisecond }

var echo = service.Func[int, int](func(_ context.Context, n int) (int, error) { return n, nil })

func TestBadInputIsRefused(t *testing.T) {
	in := make(chan int)
	tests := []struct {
		name string
		ctx  context.Context
		svc  service.Service[int, int]
		in   <-chan int
		conc int
		want string
	}{
		{"a nil context", nil, echo, in, 1, "callall: nil context"},
		{"a nil service", context.Background(), nil, in, 1, "callall: service is nil"},
		{"a typed nil service", context.Background(), (*servicetest.Mock[int, int])(nil), in, 1, "callall: service is nil"},
		{"a nil service.Func", context.Background(), service.Func[int, int](nil), in, 1, "callall: service is nil"},
		{"a nil input channel", context.Background(), echo, nil, 1, "callall: nil input channel"},
		{"zero concurrency", context.Background(), echo, in, 0, "callall: concurrency must be between 1 and 65536, got 0"},
		{"negative concurrency", context.Background(), echo, in, -3, "callall: concurrency must be between 1 and 65536, got -3"},
		{"huge concurrency", context.Background(), echo, in, math.MaxInt, fmt.Sprintf("callall: concurrency must be between 1 and 65536, got %d", math.MaxInt)},
		{"concurrency one above the limit", context.Background(), echo, in, callall.MaxConcurrency + 1, "callall: concurrency must be between 1 and 65536, got 65537"},
	}
	for _, m := range modes {
		for _, tt := range tests {
			t.Run(m.name+" refuses "+tt.name, func(t *testing.T) {
				c, err := m.start(tt.ctx, tt.svc, tt.in, tt.conc)
				require.EqualError(t, err, tt.want)
				assert.Nil(t, c)
				if tt.svc == nil || tt.name != "a nil service" && strings.Contains(tt.want, "service is nil") {
					assert.ErrorIs(t, err, service.ErrNilService)
				}
			})
		}
		t.Run(m.name+" accepts MaxConcurrency", func(t *testing.T) {
			c, err := m.start(t.Context(), echo, feed(1), callall.MaxConcurrency)
			require.NoError(t, err)
			assert.Len(t, collect(c.Results()), 1)
		})
	}
}

func TestOrderedKeepsInputOrderWithRandomLatencies(t *testing.T) {
	for _, conc := range []int{1, 3, 8, 64} {
		t.Run(fmt.Sprintf("with concurrency %d", conc), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := service.Func[int, int](func(_ context.Context, n int) (int, error) {
					time.Sleep(latency(n))
					return n * 10, nil
				})
				const n = 300
				c, err := callall.Ordered(t.Context(), svc, feed(seq(n)...), conc)
				require.NoError(t, err)
				rs := collect(c.Results())
				require.Len(t, rs, n)
				for i, r := range rs {
					require.Equal(t, result{Req: i, Res: i * 10, Index: i}, r, "position %d", i)
				}
			})
		})
	}
}

func TestUnorderedDeliversInCompletionOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Request i takes 10-i ms, and all ten run at once: they finish in reverse.
		svc := service.Func[int, int](func(_ context.Context, n int) (int, error) {
			time.Sleep(time.Duration(10-n) * time.Millisecond)
			return n, nil
		})
		c, err := callall.Unordered(t.Context(), svc, feed(seq(10)...), 10)
		require.NoError(t, err)
		var order []int
		for r := range c.Results() {
			assert.Equal(t, r.Req, r.Index, "Index is the input position")
			order = append(order, r.Index)
		}
		assert.Equal(t, []int{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, order)
	})
}

func TestEveryRequestGetsExactlyOneResult(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := service.Func[int, int](func(_ context.Context, n int) (int, error) {
					time.Sleep(latency(n))
					return -n, nil
				})
				const n = 500
				out, err := m.run(t.Context(), svc, feed(seq(n)...), 7)
				require.NoError(t, err)
				seen := make([]int, n)
				for r := range out {
					require.NoError(t, r.Err)
					require.Equal(t, r.Req, r.Index)
					require.Equal(t, -r.Req, r.Res)
					seen[r.Index]++
				}
				for i, c := range seen {
					require.Equal(t, 1, c, "request %d", i)
				}
			})
		})
	}
}

func TestConcurrencyBoundIsNeverExceeded(t *testing.T) {
	for _, m := range modes {
		for _, conc := range []int{1, 4, 16} {
			t.Run(fmt.Sprintf("%s with concurrency %d", m.name, conc), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					var inFlight, peak atomic.Int64
					svc := service.Func[int, int](func(_ context.Context, n int) (int, error) {
						now := inFlight.Add(1)
						for {
							p := peak.Load()
							if now <= p || peak.CompareAndSwap(p, now) {
								break
							}
						}
						time.Sleep(time.Millisecond) // every call overlaps the others
						inFlight.Add(-1)
						return n, nil
					})
					out, err := m.run(t.Context(), svc, feed(seq(10*conc)...), conc)
					require.NoError(t, err)
					assert.Len(t, collect(out), 10*conc)
					assert.Equal(t, int64(conc), peak.Load(), "the bound is reached and never exceeded")
				})
			})
		}
	}
}

func TestErrorsAreDeliveredPerItem(t *testing.T) {
	errOdd := errors.New("odd")
	svc := service.Func[int, int](func(_ context.Context, n int) (int, error) {
		if n%2 == 1 {
			return 0, fmt.Errorf("request %d: %w", n, errOdd)
		}
		return n + 1, nil
	})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			out, err := m.run(t.Context(), svc, feed(seq(20)...), 3)
			require.NoError(t, err)
			rs := collect(out)
			require.Len(t, rs, 20)
			for _, r := range rs {
				if r.Req%2 == 1 {
					assert.ErrorIs(t, r.Err, errOdd)
					assert.Zero(t, r.Res)
				} else {
					assert.NoError(t, r.Err)
					assert.Equal(t, r.Req+1, r.Res)
				}
			}
		})
	}
}

func TestReadiness(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name+" waits for readiness before each call", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				mock, h := servicetest.New[int, int]()
				h.Allow(0)
				served := make(chan error, 1)
				go func() { served <- h.Serve(t.Context(), func(n int) (int, error) { return n, nil }) }()
				out, err := m.run(t.Context(), mock, feed(seq(5)...), 5)
				require.NoError(t, err)
				synctest.Wait()
				assert.Equal(t, 0, h.Calls(), "no call while the service is not ready")
				h.Allow(2)
				synctest.Wait()
				assert.Equal(t, 2, h.Calls())
				h.Allow(3)
				rs := collect(out)
				require.Len(t, rs, 5)
				for _, r := range rs {
					assert.NoError(t, r.Err)
				}
				h.Close()
				assert.NoError(t, <-served)
			})
		})
		t.Run(m.name+" delivers a readiness failure as each request's result", func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			boom := errors.New("connection refused")
			h.Fail(boom)
			out, err := m.run(t.Context(), mock, feed(seq(6)...), 2)
			require.NoError(t, err)
			rs := collect(out)
			require.Len(t, rs, 6)
			for _, r := range rs {
				assert.ErrorIs(t, r.Err, boom)
			}
			assert.Equal(t, 0, h.Calls(), "the service is not called when not ready")
		})
	}
}

func TestCancellation(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name+" answers the taken requests with ctx.Err() and takes no more", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls atomic.Int64
				block := service.Func[int, int](func(ctx context.Context, n int) (int, error) {
					calls.Add(1)
					<-ctx.Done()
					return 0, ctx.Err()
				})
				in := make(chan int, 100)
				for i := range 100 {
					in <- i
				}
				ctx, cancel := context.WithCancel(t.Context())
				out, err := m.run(ctx, block, in, 4)
				require.NoError(t, err)
				synctest.Wait()
				require.Equal(t, int64(4), calls.Load(), "four calls in flight")
				cancel()
				rs := collect(out)
				require.Len(t, rs, 4, "one result per taken request")
				seen := map[int]bool{}
				for _, r := range rs {
					assert.ErrorIs(t, r.Err, context.Canceled)
					seen[r.Index] = true
				}
				assert.Equal(t, map[int]bool{0: true, 1: true, 2: true, 3: true}, seen)
				assert.Len(t, in, 96, "requests not taken stay in the input")
			})
		})
		t.Run(m.name+" does not call requests still waiting for readiness", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				mock, h := servicetest.New[int, int]()
				h.Allow(0)
				ctx, cancel := context.WithCancel(t.Context())
				in := make(chan int) // never closed
				out, err := m.run(ctx, mock, in, 3)
				require.NoError(t, err)
				in <- 10
				in <- 11
				synctest.Wait()
				cancel()
				rs := collect(out)
				require.Len(t, rs, 2)
				for _, r := range rs {
					assert.ErrorIs(t, r.Err, context.Canceled)
				}
				assert.Equal(t, 0, h.Calls())
			})
		})
		t.Run(m.name+" with an ended ctx takes nothing", func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			in := feed(1, 2, 3)
			out, err := m.run(ctx, echo, in, 2)
			require.NoError(t, err)
			assert.Empty(t, collect(out))
			assert.Len(t, in, 3)
		})
	}
}

// A producer streams until cancelled; the consumer cancels mid-stream and keeps
// reading: every request the run took has exactly one result, and every goroutine
// ends (goleak at the end of the package, synctest at the end of the bubble).
func TestCancellationMidStreamLosesNothing(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := service.Func[int, int](func(ctx context.Context, n int) (int, error) {
					select {
					case <-time.After(latency(n) + time.Millisecond):
						return n, nil
					case <-ctx.Done():
						return 0, ctx.Err()
					}
				})
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				in := make(chan int)
				var sent atomic.Int64
				produced := make(chan struct{})
				go func() {
					defer close(produced)
					for i := 0; ; i++ {
						select {
						case in <- i:
							sent.Add(1)
						case <-ctx.Done():
							return
						}
					}
				}()
				out, err := m.run(ctx, svc, in, 8)
				require.NoError(t, err)
				var rs []result
				for r := range out {
					rs = append(rs, r)
					if len(rs) == 50 {
						cancel()
					}
				}
				<-produced
				require.Len(t, rs, int(sent.Load()), "one result per request taken")
				seen := make([]bool, len(rs))
				cancelled := 0
				for _, r := range rs {
					require.Less(t, r.Index, len(rs))
					require.False(t, seen[r.Index], "index %d delivered twice", r.Index)
					seen[r.Index] = true
					if r.Err != nil {
						require.ErrorIs(t, r.Err, context.Canceled)
						cancelled++
					} else {
						require.Equal(t, r.Req, r.Res)
					}
				}
				assert.Positive(t, cancelled, "requests in flight at the cancel were answered with ctx.Err()")
				assert.LessOrEqual(t, cancelled, 8, "at most concurrency requests were taken and unfinished")
			})
		})
	}
}

func TestClosedEmptyInputClosesOutput(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			out, err := m.run(t.Context(), echo, feed(), 4)
			require.NoError(t, err)
			assert.Empty(t, collect(out))
		})
	}
}

func TestAPanicBecomesThatRequestsError(t *testing.T) {
	svc := service.Func[int, int](func(_ context.Context, n int) (int, error) {
		if n == 2 {
			panic("two")
		}
		return n, nil
	})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			out, err := m.run(t.Context(), svc, feed(seq(5)...), 2)
			require.NoError(t, err)
			rs := collect(out)
			require.Len(t, rs, 5)
			for _, r := range rs {
				if r.Req != 2 {
					assert.NoError(t, r.Err)
					continue
				}
				assert.ErrorIs(t, r.Err, service.ErrPanicked)
				var pe *service.PanicError
				require.ErrorAs(t, r.Err, &pe)
				assert.Equal(t, "two", pe.Value)
				assert.NotEmpty(t, pe.Stack())
			}
		})
	}
}

func TestSlowHeadHoldsTheWindow(t *testing.T) {
	const conc = 4
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				release := make(chan struct{})
				svc := service.Func[int, int](func(_ context.Context, n int) (int, error) {
					if n == 0 {
						<-release
					}
					return n, nil
				})
				in := feed(seq(100)...)
				out, err := m.run(t.Context(), svc, in, conc)
				require.NoError(t, err)
				var got []int
				done := make(chan struct{})
				go func() {
					defer close(done)
					for r := range out {
						got = append(got, r.Index)
					}
				}()
				synctest.Wait()
				if m.name == "Ordered" {
					assert.Equal(t, 100-conc, len(in), "the window: request 0 and three after it are taken")
				} else {
					assert.Empty(t, in, "the other workers go on past the slow request")
				}
				close(release)
				<-done
				require.Len(t, got, 100)
				if m.name == "Ordered" {
					assert.Equal(t, seq(100), got)
				} else {
					assert.Equal(t, 0, got[99], "the slow request comes last")
				}
			})
		})
	}
}
