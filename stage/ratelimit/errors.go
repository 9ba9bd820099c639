package ratelimit

import "github.com/tower-go/tower/service"

// ErrLimited reports that a call was refused by the rate limit: in fail-fast mode
// (see [WithFailFast]) because no token was there at once, or in either mode
// because the wait for a token would outlast the caller's ctx deadline. It matches
// service.ErrOverloaded under errors.Is, so a caller that treats every overload
// alike needs no special case.
var ErrLimited = service.NewError("ratelimit: rate limited", service.ErrOverloaded)
