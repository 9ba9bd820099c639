package towerotel

import (
	_ "github.com/stretchr/testify/require"
	_ "github.com/tower-go/tower/service"
	_ "go.opentelemetry.io/otel/metric"
	_ "go.opentelemetry.io/otel/sdk/metric"
	_ "go.opentelemetry.io/otel/sdk/metric/metricdata"
	_ "go.uber.org/goleak"
)
