package servicetest_test

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
)

func passThrough(ctx context.Context, n int, next service.Service[int, int]) (int, error) {
	return next.Call(ctx, n)
}

func TestCheckLayerPassesAStageThatForwards(t *testing.T) {
	servicetest.CheckLayer(t, service.Stage[int, int](passThrough), 1)
}

// hiding is the mistake CheckLayer exists to catch: a wrapper that keeps only Call,
// so the inner service's readiness and TryCall vanish.
type hiding struct{ service.Service[int, int] }

func hidingLayer(_ *service.Scope, inner service.Service[int, int]) (service.Service[int, int], error) {
	return hiding{inner}, nil
}

// TestCheckLayerCatchesAStageThatHidesAbilities runs itself again in a child
// process, where it applies CheckLayer to the hiding layer: the child must fail,
// and its output must name each ability the layer hides.
func TestCheckLayerCatchesAStageThatHidesAbilities(t *testing.T) {
	if os.Getenv("SERVICETEST_BAD_LAYER") == "1" { // the child: this must fail
		servicetest.CheckLayer[int, int](t, hidingLayer, 1)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCheckLayerCatchesAStageThatHidesAbilities$", "-test.v")
	cmd.Env = append(os.Environ(), "SERVICETEST_BAD_LAYER=1")
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "CheckLayer must fail a layer that hides its inner service's abilities:\n%s", out)
	assert.Contains(t, string(out), "does not implement service.Readier")
	assert.Contains(t, string(out), "has no TryCall of its own")
	assert.Contains(t, string(out), "does not implement service.Loader")
	assert.Contains(t, string(out), "TryCall waits while the inner service is busy")
}
