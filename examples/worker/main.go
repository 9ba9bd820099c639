// Command worker is a runnable example of a worker that embeds a pipeline: jobs
// arrive on a channel, go through a pipeline of fused stages (filter, map, timeout,
// retry) and an actor boundary (buffer), and their results are printed in job order.
//
//	go run ./examples/worker
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/callall"
)

// Job is one unit of work: count the words of Text.
type Job struct {
	ID   int
	Text string
}

// Summary is a job's result.
type Summary struct {
	ID    int
	Words int
	Upper string
}

var errFlaky = errors.New("backend hiccup")

// countWords is the terminal service. It fails the first time it sees each job
// whose ID is a multiple of 3, to show the retry stage at work.
func countWords() func(context.Context, Job) (Summary, error) {
	var seen [64]atomic.Bool
	return func(ctx context.Context, j Job) (Summary, error) {
		if j.ID%3 == 0 && !seen[j.ID%64].Swap(true) {
			return Summary{}, errFlaky
		}
		return Summary{ID: j.ID, Words: len(strings.Fields(j.Text))}, nil
	}
}

// run builds the pipeline, feeds it jobs and writes one line per result to w.
func run(ctx context.Context, w io.Writer, texts []string) error {
	svc, err := tower.For[Job, Summary]().
		// Outermost first: the filter sees each job before anything else.
		Filter(func(j Job) error {
			if strings.TrimSpace(j.Text) == "" {
				return fmt.Errorf("job %d is empty", j.ID)
			}
			return nil
		}).
		MapRequest(func(j Job) Job {
			j.Text = strings.ToLower(j.Text)
			return j
		}).
		MapResponse(func(s Summary) Summary {
			s.Upper = fmt.Sprintf("%d words", s.Words)
			return s
		}).
		Timeout(time.Second).
		Retry(3).
		// An actor boundary: a bounded mailbox drained by worker goroutines.
		Buffer(64).
		ServiceFunc(countWords())
	if err != nil {
		return err
	}
	defer svc.Stop(context.Background())

	jobs := make(chan Job)
	go func() { // the producer: owned here, ends when the jobs run out or ctx ends
		defer close(jobs)
		for i, t := range texts {
			select {
			case jobs <- Job{ID: i + 1, Text: t}:
			case <-ctx.Done():
				return
			}
		}
	}()

	calls, err := callall.Ordered(ctx, service.Service[Job, Summary](svc), jobs, 4)
	if err != nil {
		return err
	}
	defer calls.Stop(context.Background()) // ends its goroutines if we return early
	for r := range calls.Results() {       // read until closed: every job gets exactly one result
		if r.Err != nil {
			fmt.Fprintf(w, "job %d: error: %v (rejected: %t)\n", r.Req.ID, r.Err, errors.Is(r.Err, service.ErrRejected))
			continue
		}
		fmt.Fprintf(w, "job %d: %s\n", r.Res.ID, r.Res.Upper)
	}
	return ctx.Err()
}

func main() {
	texts := []string{
		"The quick brown fox",
		"jumps over",
		"the lazy dog",
		"   ",
		"Tower for Go, on actors",
		"one",
	}
	if err := run(context.Background(), os.Stdout, texts); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}
