package servicetest

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
)

// Logs records what a component logs, for tests of its slog output: pass
// Logger() where a component takes a *slog.Logger (balance.WithLogger,
// breaker.WithLogger, supervisor.Config.Logger), then read the records as lines
// in slog's text format without the time ("level=WARN msg=... key=value").
// The zero value is ready to use; it is safe for concurrent use.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Logger returns a logger that writes every record, at every level from Info,
// to r.
func (r *Logs) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler((*logWriter)(r), &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// Lines returns the records written so far, one per line, oldest first.
func (r *Logs) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := strings.TrimSpace(r.buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// logWriter is the io.Writer side of Logs, kept off its method set.
type logWriter Logs

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}
