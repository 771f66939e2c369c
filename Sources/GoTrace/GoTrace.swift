// GoTrace: a pure Swift reader for Go execution traces (the model of Go's internal/trace).
