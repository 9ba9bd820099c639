package steer

import "errors"

// ErrBadPick reports that the picker returned an index outside the services. The
// error a call returns wraps it with the index and the number of services.
var ErrBadPick = errors.New("steer: picker returned an index out of range")
