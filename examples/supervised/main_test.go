package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCrashingConnectionsAreRedialledAndLogged(t *testing.T) {
	var out, logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	require.NoError(t, run(context.Background(), &out, log, 30))
	// primary crashes on its 4th query, replica on its 7th, redis on its 5th:
	// 10 queries each, so 2 + 1 + 2 crashes; connections are numbered by dial.
	assert.Contains(t, out.String(), "30 queries: 25 answered, 5 lost with a crashed connection")
	assert.Contains(t, out.String(), "db/primary: query 9 failed with its connection (true)")
	assert.Contains(t, out.String(), "primary#4: query 12", "the same ref, a new connection")
	l := logs.String()
	// The last crash (query 29) may not be handled yet when the tree stops.
	assert.GreaterOrEqual(t, strings.Count(l, "supervisor: failed"), 4)
	assert.GreaterOrEqual(t, strings.Count(l, "supervisor: restarted"), 4)
	assert.Contains(t, l, "child=app/db/primary")
	assert.Contains(t, l, "stack=")
	assert.Contains(t, l, `msg="supervisor: started" child=app/cache`)
	assert.Equal(t, 5, strings.Count(l, "supervisor: stopped"), "three connections and two supervisors stopped")
}
