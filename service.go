package tower

import "github.com/tower-go/tower/service"

// Service is an asynchronous function from request to response; see service.Service.
type Service[Req, Res any] = service.Service[Req, Res]

// ServiceFunc adapts a function to a Service; see service.Func.
type ServiceFunc[Req, Res any] = service.Func[Req, Res]

// Layer wraps a service in a stage; see service.Layer.
type Layer[Req, Res any] = service.Layer[Req, Res]

// Readier is implemented by services with bounded capacity; see service.Readier.
type Readier = service.Readier

// TryCaller is implemented by services that can refuse a call at once; see
// service.TryCaller.
type TryCaller[Req, Res any] = service.TryCaller[Req, Res]

// Stopper is implemented by services that own goroutines; see service.Stopper.
type Stopper = service.Stopper

// Error kinds shared by every stage; see the service package.
var (
	ErrOverloaded = service.ErrOverloaded
	ErrClosed     = service.ErrClosed
	ErrRejected   = service.ErrRejected
	ErrFailed     = service.ErrFailed
	ErrPanicked   = service.ErrPanicked
)
