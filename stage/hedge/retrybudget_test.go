package hedge_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/hedge"
	"github.com/tower-go/tower/stage/retry"
)

// A retry budget (Tower's TpsBudget semantics) serves as a hedge budget.
var _ hedge.Budget = (*retry.TpsBudget)(nil)

func TestRetryBudgetCapsHedges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// No minimum rate, 20%: a hedge costs five calls' deposits, and deposits
		// last 10s, longer than this test.
		b, err := retry.NewBudget(10*time.Second, 0, 0.2)
		require.NoError(t, err)
		negate := hedge.WithClone(func(r int) (int, bool) { return -r, true })
		s, h, ev := newHedge(t, hedge.WithBudget(b), negate)
		warm(t, s, h, p90of10ms...) // ten deposits: two hedges' worth

		// Ten slow calls: the first attempt is answered after 50ms, a hedge at once.
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				r, err := h.Next(ctx)
				if err != nil {
					return
				}
				if r.Req < 0 {
					_ = r.Respond(r.Req)
					continue
				}
				go func() {
					select {
					case <-time.After(50 * time.Millisecond):
						_ = r.Respond(r.Req)
					case <-r.Ctx.Done():
					}
				}()
			}
		})
		for i := range 10 {
			_, err := s.Call(t.Context(), i+1)
			require.NoError(t, err)
		}
		cancel()
		wg.Wait()
		// Balance in deposits: 10, then each call deposits 1 before its hedge is
		// due and a hedge costs 5: calls 1, 2, 5 and 10 are hedged.
		assert.Equal(t, 4, ev.Count(service.EventHedged))
		assert.Equal(t, 6, ev.Count(service.EventBudgetExhausted))
	})
}
