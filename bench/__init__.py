"""The speed and scale benchmark of OCC's inbound pipeline (see docs/benchmarks.md)."""
