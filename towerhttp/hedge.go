package towerhttp

import (
	"net/http"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/hedge"
)

// Hedge returns a hedge stage for a client pipeline (see package hedge) that sends
// a second copy only of requests [Replayable] allows; the Transport gives the copy
// a fresh body from GetBody and closes the losing response. Options are those of
// package hedge; a hedge.WithClone among them replaces the replayability test (the
// Transport still never sends a request twice that it may not).
func Hedge(opts ...hedge.Option) service.Layer[*http.Request, *http.Response] {
	all := append([]hedge.Option{hedge.WithClone(func(r *http.Request) (*http.Request, bool) {
		return r, Replayable(r)
	})}, opts...)
	return hedge.Layer[*http.Request, *http.Response](all...)
}
