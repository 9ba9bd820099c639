package stage

import (
	"context"

	"github.com/tower-go/tower/service"
)

// Boxed is a service that hides the concrete type of the service inside it: Tower's
// BoxService.
//
// In Go a [service.Service] interface value is already a box: a type word and a
// pointer, called through a method table, with no allocation when the service is a
// pointer (as every stage is). So Tower's reason for BoxService — naming the type of
// a deep stack of generic middleware — does not arise: the interface type names it.
// Nor does BoxCloneService's: Go services are shared by reference between
// goroutines, never cloned. What an interface value does not hide is the concrete
// type itself: a type assertion reaches it and every method it has (Stop, Unwrap,
// Len...). Boxed keeps only the service capabilities — Call, readiness (Ready,
// TryReady) and TryCall, all forwarded — so that a service can be handed to code
// that must not stop it, unwrap it or depend on its type.
//
// Boxed does not implement [service.Stopper] even when the boxed service does: the
// service's owner, not the holder of the box, stops it, and a pipeline that applies
// [Box] stops the boundaries inside the box itself.
//
// Boxed embeds the [service.Next] of the boxed service, so every ability of the
// contract (readiness, load, TryCall) is forwarded, and an ability added to the
// contract later is forwarded too; only Unwrap is hidden.
//
// The zero value is not usable. It is safe for concurrent use if the boxed service
// is, and costs one indirect call.
type Boxed[Req, Res any] struct {
	service.Next[Req, Res]
	hidden // hides the Unwrap that Next would promote
}

// hidden has an Unwrap method so that a struct embedding both it and a
// service.Next has none: two methods of one name at the same depth cancel out, and
// a type assertion to an Unwrap interface fails.
type hidden struct{}

func (hidden) Unwrap() {}

var (
	_ service.Service[int, int]   = (*Boxed[int, int])(nil)
	_ service.Readier             = (*Boxed[int, int])(nil)
	_ service.TryCaller[int, int] = (*Boxed[int, int])(nil)
	_ service.Loader              = (*Boxed[int, int])(nil)
)

// Box returns a layer that boxes the inner service; see [Boxed].
func Box[Req, Res any]() service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewBox(inner))
	}
}

// NewBox returns inner in a box; see [Boxed]. It returns an error if inner is nil.
func NewBox[Req, Res any](inner service.Service[Req, Res]) (*Boxed[Req, Res], error) {
	next, err := nextOf("box", inner, false)
	if err != nil {
		return nil, err
	}
	return &Boxed[Req, Res]{Next: next}, nil
}

// Call calls the boxed service.
func (b *Boxed[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return b.Next.Call(ctx, req)
}

// TryCall makes the boxed service's non-blocking call; see [service.Next.TryCall].
func (b *Boxed[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	return b.Next.TryCall(ctx, req)
}
