package servicetest_test

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service/servicetest"
)

var testTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestLogs(t *testing.T) {
	var logs servicetest.Logs
	assert.Nil(t, logs.Lines(), "nothing logged yet")

	l := logs.Logger()
	l.Debug("below Info: not recorded")
	l.Warn("endpoint evicted", "endpoint", "a", slog.Group("g", slog.Time("time", testTime)))
	require.Equal(t, []string{`level=WARN msg="endpoint evicted" endpoint=a g.time=2026-01-02T03:04:05.000Z`}, logs.Lines(),
		"the record's own time is dropped, a time attribute in a group is kept")

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				l.Info("x")
			}
		})
	}
	wg.Wait()
	assert.Len(t, logs.Lines(), 801, "concurrent records are all kept, one line each")
}
