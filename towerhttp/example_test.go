package towerhttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tower-go/tower/towerhttp"
)

// A client whose retries resend the body, honour Retry-After and leave the
// caller a readable response.
func Example() {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "attempt %d got %q", n.Load(), body)
	}))
	defer srv.Close()

	rt, err := towerhttp.NewTransport(http.DefaultTransport, towerhttp.Client().
		Timeout(5*time.Second).
		Layer(towerhttp.Retry(3)).
		ConcurrencyLimit(64))
	if err != nil {
		panic(err)
	}
	defer rt.Stop(context.Background())
	client := &http.Client{Transport: rt}

	req, _ := http.NewRequest(http.MethodPut, srv.URL, strings.NewReader("hello"))
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 attempt 2 got "hello"
}

// Server middleware: load shedding in front of a concurrency limit answers 503
// with Retry-After when the handler is busy.
func ExampleNewHandler() {
	entered, release := make(chan struct{}), make(chan struct{})
	h, err := towerhttp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		fmt.Fprint(w, "done")
	}), towerhttp.Server().LoadShed().ConcurrencyLimit(1))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	first := make(chan string)
	go func() {
		resp, err := http.Get(srv.URL)
		if err != nil {
			first <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		first <- fmt.Sprint(resp.StatusCode, " ", string(b))
	}()
	<-entered
	resp, err := http.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, "Retry-After:", resp.Header.Get("Retry-After"))
	close(release)
	fmt.Println(<-first)
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	// Output:
	// 503 Retry-After: 1
	// 200 done
}
