// Package towergrpc meets gRPC with tower pipelines: unary and stream client and
// server interceptors built from pipelines, and the mapping between tower's error
// kinds and gRPC status codes. The balancer lives in package
// github.com/tower-go/tower/grpc/balancer.
//
// This is a nested module, github.com/tower-go/tower/grpc, so that programs that
// use only the core do not download grpc-go.
package towergrpc
