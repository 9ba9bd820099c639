package towerhttp_test

import (
	"net/http"
	"testing"

	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/towerhttp"
)

func TestLayersForwardEveryAbility(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Retry", func(t *testing.T) { servicetest.CheckLayer(t, towerhttp.Retry(3), req) })
	t.Run("Hedge", func(t *testing.T) { servicetest.CheckLayer(t, towerhttp.Hedge(), req) })
}
