package main

import (
	"sync"
	"time"
)

// What this machine's timers allow. W4 and W7 assume that their service's 1 ms
// sleep takes 1 ms; on a small or busy machine time.Sleep overshoots, and no
// implementation (the raw floor included) can beat the sleep it calls. sleepMean
// measures, once per concurrency level and before the workload starts, how long
// time.Sleep(ioTime) really takes with n goroutines sleeping at once, so that a
// row can say how close it came both to the ideal and to what the sleep allows.

var (
	sleepMu    sync.Mutex
	sleepCache = map[int]time.Duration{}
)

// sleepMean returns the mean duration of time.Sleep(ioTime) with n goroutines
// each sleeping rounds times in a row.
func sleepMean(n int) time.Duration {
	sleepMu.Lock()
	defer sleepMu.Unlock()
	if d, ok := sleepCache[n]; ok {
		return d
	}
	const rounds = 50
	var wg sync.WaitGroup
	sums := make([]time.Duration, n)
	for i := range n {
		wg.Go(func() {
			for range rounds {
				start := time.Now()
				time.Sleep(ioTime)
				sums[i] += time.Since(start)
			}
		})
	}
	wg.Wait()
	var total time.Duration
	for _, s := range sums {
		total += s
	}
	d := total / time.Duration(n*rounds)
	sleepCache[n] = d
	return d
}

// withAchievable adds the calibration to r: the measured sleep, the throughput
// slots always busy with that sleep would give, and r's ratio to it.
func withAchievable(r *Result, slots int, got float64) {
	d := sleepMean(slots)
	achievable := float64(slots) / d.Seconds()
	r.Set("sleep_1ms_mean_us", round(float64(d)/1e3, 1))
	r.Set("achievable_rps", round(achievable, 0))
	r.Set("ratio_vs_achievable", round(got/achievable, 3))
}
