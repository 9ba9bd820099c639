// Package towerotel reports what tower's stages decide, and how long calls take,
// as OpenTelemetry metrics.
//
// This is a nested module, github.com/tower-go/tower/otel, so that programs that
// use only the core do not download OpenTelemetry.
package towerotel
