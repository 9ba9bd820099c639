package towergrpc

import (
	_ "github.com/stretchr/testify/require"
	_ "github.com/tower-go/tower/service"
	_ "go.uber.org/goleak"
	_ "google.golang.org/grpc"
	_ "google.golang.org/grpc/balancer/endpointsharding"
	_ "google.golang.org/grpc/balancer/pickfirst"
	_ "google.golang.org/grpc/health/grpc_health_v1"
	_ "google.golang.org/grpc/interop/grpc_testing"
	_ "google.golang.org/protobuf/proto"
)
