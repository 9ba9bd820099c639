package fallback_test

import (
	"context"
	"testing"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/fallback"
)

func BenchmarkFallbackSuccess(b *testing.B) {
	f, err := fallback.New(failing(nil), answer)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = f.Call(ctx, 1)
	}
}

func BenchmarkFallbackAnswer(b *testing.B) {
	f, err := fallback.New(failing(service.ErrOverloaded), answer)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = f.Call(ctx, 1)
	}
}
