package main

// Placeholder so that go.mod keeps the gRPC module while G1/G2 are written; removed when they land.
import (
	_ "github.com/tower-go/tower/grpc"
	_ "google.golang.org/grpc"
	_ "google.golang.org/grpc/balancer/roundrobin"
	_ "google.golang.org/grpc/interop/grpc_testing"
)
