package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestWorkerPrintsEveryJobInOrder(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, []string{"a b c", "", "d e", "f"})
	require.NoError(t, err)
	require.Equal(t, `job 1: 3 words
job 2: error: filter: rejected: job 2 is empty (rejected: true)
job 3: 2 words
job 4: 1 words
`, out.String())
}

func TestWorkerStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	err := run(ctx, &out, []string{"a", "b", "c"})
	require.ErrorIs(t, err, context.Canceled)
}
