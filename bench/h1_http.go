package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/bulkhead"
	"github.com/failsafe-go/failsafe-go/failsafehttp"
	fstimeout "github.com/failsafe-go/failsafe-go/timeout"

	"github.com/tower-go/tower/towerhttp"
)

// H1 http: 64 callers over 64 keep-alive connections on loopback, each request a
// GET whose handler writes a small body; the client reads the body to the end and
// closes it. Every implementation starts its own server and its own client
// transport, so connections are fresh for each.

func init() {
	register(Workload{
		ID:          "H1",
		Name:        "http",
		Description: "64 callers over 64 keep-alive loopback connections, 200,000 GETs; client timeout(1s), retry(3), limit(64); server loadshed, limit(64); the handler writes 2 bytes",
		Callers:     64,
		Calls:       200_000,
		Metric:      MetricRPS,
		Rounds:      3,
		Impls: []Impl{
			{Name: ImplTower, Run: h1Tower},
			{Name: implFailsafe, Run: h1Failsafe},
			{Name: ImplRaw, Run: h1Raw},
		},
	})
}

const (
	h1Conns   = 64
	h1Limit   = 64
	h1Timeout = time.Second
	h1Retries = 3
)

var h1Body = []byte("ok")

// h1Handler is the service: a small body, no work.
var h1Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(h1Body) })

// h1Transport is the base client transport: keep-alive, one connection per caller.
func h1Transport() *http.Transport {
	return &http.Transport{
		MaxIdleConns:        h1Conns,
		MaxIdleConnsPerHost: h1Conns,
		MaxConnsPerHost:     h1Conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
}

// h1Run serves h on a loopback listener and measures s's calls through rt.
func h1Run(s Spec, h http.Handler, rt http.RoundTripper) (Result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String() + "/"
	client := &http.Client{Transport: rt}
	r := measurePar(s.Callers, s.Calls, func(int) func(context.Context, uint64) error {
		buf := make([]byte, 64)
		return func(ctx context.Context, _ uint64) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			n, err := io.ReadFull(resp.Body, buf[:len(h1Body)])
			if err == nil {
				_, err = resp.Body.Read(buf[n:])
				if errors.Is(err, io.EOF) {
					err = nil
				}
			}
			_ = resp.Body.Close()
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK || string(buf[:n]) != string(h1Body) {
				return errWrongAnswer
			}
			return nil
		}
	})
	client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return r, fmt.Errorf("stopping the server: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return r, err
	}
	return r, nil
}

// h1Tower: the client is towerhttp's RoundTripper over timeout(1s), retry(3),
// concurrency_limit(64); the server is towerhttp's Handler over loadshed,
// concurrency_limit(64).
func h1Tower(_ context.Context, s Spec) (Result, error) {
	base := h1Transport()
	rt, err := towerhttp.NewTransport(base, towerhttp.Client().
		Timeout(h1Timeout).
		Layer(towerhttp.Retry(h1Retries)).
		ConcurrencyLimit(h1Limit))
	if err != nil {
		return Result{}, err
	}
	h, err := towerhttp.NewHandler(h1Handler, towerhttp.Server().LoadShed().ConcurrencyLimit(h1Limit))
	if err != nil {
		return Result{}, err
	}
	r, err := h1Run(s, h, rt)
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	err = errors.Join(err, rt.Stop(ctx), h.Stop(ctx))
	return r, err
}

// h1Raw is the floor: a plain net/http client and server.
func h1Raw(_ context.Context, s Spec) (Result, error) {
	return h1Run(s, h1Handler, h1Transport())
}

// h1Failsafe: failsafehttp's RoundTripper over timeout(1s), its HTTP retry policy
// (3 attempts), a waiting bulkhead(64); its Handler over a bulkhead(64) that does
// not wait (its nearest to loadshed + limit).
func h1Failsafe(_ context.Context, s Spec) (Result, error) {
	rt := failsafehttp.NewRoundTripper(h1Transport(),
		fstimeout.New[*http.Response](h1Timeout),
		failsafehttp.NewRetryPolicyBuilder().WithMaxAttempts(h1Retries).Build(),
		bulkhead.NewBuilder[*http.Response](h1Limit).WithMaxWaitTime(failsafeWait).Build(),
	)
	h := failsafehttp.NewHandlerWithExecutor(h1Handler, failsafe.With[*http.Response](
		bulkhead.New[*http.Response](h1Limit)))
	r, err := h1Run(s, h, rt)
	r.Note("server: bulkhead(64) without wait stands in for loadshed + limit(64)")
	return r, err
}
