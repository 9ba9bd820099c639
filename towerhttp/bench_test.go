package towerhttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tower-go/tower/towerhttp"
)

// BenchmarkRoundTrip compares a GET through the Transport (timeout, retry, limit)
// with the same GET through the base transport alone, over loopback.
func BenchmarkRoundTrip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	run := func(b *testing.B, rt http.RoundTripper) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			buf := make([]byte, 16)
			for pb.Next() {
				req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
				resp, err := rt.RoundTrip(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.ReadFull(resp.Body, buf[:2])
				_ = resp.Body.Close()
			}
		})
	}
	b.Run("raw", func(b *testing.B) {
		base := &http.Transport{MaxIdleConnsPerHost: 64}
		defer base.CloseIdleConnections()
		run(b, base)
	})
	b.Run("tower", func(b *testing.B) {
		base := &http.Transport{MaxIdleConnsPerHost: 64}
		defer base.CloseIdleConnections()
		tr, err := towerhttp.NewTransport(base, towerhttp.Client().Timeout(time.Second).Layer(towerhttp.Retry(3)).ConcurrencyLimit(64))
		if err != nil {
			b.Fatal(err)
		}
		defer tr.Stop(b.Context())
		run(b, tr)
	})
	b.Run("handler", func(b *testing.B) {
		h, err := towerhttp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }),
			towerhttp.Server().LoadShed().ConcurrencyLimit(64))
		if err != nil {
			b.Fatal(err)
		}
		s2 := httptest.NewServer(h)
		defer s2.Close()
		base := &http.Transport{MaxIdleConnsPerHost: 64}
		defer base.CloseIdleConnections()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, _ := http.NewRequest(http.MethodGet, s2.URL, nil)
				resp, err := base.RoundTrip(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		})
	})
}
