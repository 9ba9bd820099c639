package towerhttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"

	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/towerhttp"
)

// A client that spreads its requests over two backends by their load; the Host
// header stays the one the caller asked for.
func ExampleNewBalanced() {
	var entries []discover.Entry[string, discover.Addr]
	for range 2 {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "hello from a backend of ", r.Host)
		}))
		defer srv.Close()
		ap := netip.MustParseAddrPort(srv.Listener.Addr().String())
		entries = append(entries, discover.Entry[string, discover.Addr]{Key: ap.String(), Value: discover.Addr{AddrPort: ap}})
	}
	src, err := discover.NewStatic(entries...)
	if err != nil {
		panic(err)
	}
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	bt, err := towerhttp.NewBalanced(base, src)
	if err != nil {
		panic(err)
	}
	defer bt.Stop(context.Background())

	client := &http.Client{Transport: bt}
	for range 3 {
		res, err := client.Get("http://api.internal/")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Println(res.StatusCode, string(body))
	}
	// Output:
	// 200 hello from a backend of api.internal
	// 200 hello from a backend of api.internal
	// 200 hello from a backend of api.internal
}
