package actor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
)

// TestAnEndedPoolNeverGrows forces the interleaving in which a sender decides to
// grow the pool only after every worker has ended: the pool must stay ended (a
// new worker would close done a second time and crash the process).
func TestAnEndedPoolNeverGrows(t *testing.T) {
	echo := service.Func[int, int](func(_ context.Context, x int) (int, error) { return x, nil })
	a, err := Spawn[int, int](echo, 4, WithMaxWorkers(8))
	require.NoError(t, err)
	require.NoError(t, a.Stop(context.Background()))
	<-a.Done()
	a.grow(1)
	require.Zero(t, a.live.Load(), "no worker starts after the pool ended")
}
