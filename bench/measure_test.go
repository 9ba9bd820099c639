package main

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMeasureSeq(t *testing.T) {
	var got int
	r := measureSeq(1000, func(n int) int64 { got = n; return int64(n - 3) })
	assert.Equal(t, 1000, got)
	assert.Equal(t, int64(1000), r.Calls)
	assert.Equal(t, int64(997), r.OK)
	assert.Equal(t, int64(3), r.Errors)
	assert.Nil(t, r.P50us)
	_, ok := r.Get("allocs_per_call")
	assert.True(t, ok)
}

func TestMeasureSeqCountsAllocations(t *testing.T) {
	var keep []*[64]byte
	r := measureSeq(1000, func(n int) int64 {
		for range n {
			keep = append(keep[:0], new([64]byte))
		}
		return int64(n)
	})
	v, _ := r.Get("allocs_per_call")
	assert.GreaterOrEqual(t, v.(float64), 1.0)
	_ = keep
}

func TestMeasurePar(t *testing.T) {
	var calls, setups atomic.Int64
	r := measurePar(8, 1003, func(i int) func(context.Context, uint64) error {
		setups.Add(1)
		return func(_ context.Context, x uint64) error {
			if calls.Add(1)%10 == 0 {
				return errors.New("every tenth fails")
			}
			return nil
		}
	})
	assert.Equal(t, int64(8), setups.Load(), "one call func per caller")
	assert.Equal(t, int64(1003), calls.Load(), "the calls are shared out exactly")
	assert.Equal(t, int64(1003), r.Calls)
	assert.Equal(t, int64(1003-100), r.OK)
	assert.Equal(t, int64(100), r.Errors)
	require.NotNil(t, r.P50us)
	require.NotNil(t, r.P99us)
	assert.LessOrEqual(t, *r.P50us, *r.P99us)
	require.NotEmpty(t, r.Latency)
	for i := 1; i < len(r.Latency); i++ {
		assert.Greater(t, r.Latency[i].Percentile, r.Latency[i-1].Percentile)
		assert.GreaterOrEqual(t, r.Latency[i].US, r.Latency[i-1].US)
	}
}

func TestRecordClamps(t *testing.T) {
	h := newHist()
	record(h, 0)
	record(h, 1000*time.Second)
	assert.Equal(t, int64(2), h.TotalCount())
}
