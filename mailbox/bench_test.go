package mailbox_test

import (
	"context"
	"testing"

	"github.com/tower-go/tower/mailbox"
)

// BenchmarkSendReceive is one send and one receive on the same goroutine.
func BenchmarkSendReceive(b *testing.B) {
	m, _ := mailbox.New[int](1024, mailbox.Wait)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Send(ctx, 1)
		_, _ = m.Receive()
	}
}

// BenchmarkRawChannel is the same on a bare buffered channel: the floor.
func BenchmarkRawChannel(b *testing.B) {
	ch := make(chan int, 1024)
	b.ReportAllocs()
	for b.Loop() {
		ch <- 1
		<-ch
	}
}

// BenchmarkSendParallel is many goroutines sending to one receiver.
func BenchmarkSendParallel(b *testing.B) {
	m, _ := mailbox.New[int](1024, mailbox.Wait)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, ok := m.Receive(); !ok {
				return
			}
		}
	}()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = m.Send(ctx, 1)
		}
	})
	m.Close()
	<-done
}
