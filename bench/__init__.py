"""Benchmarks: one script per area (see README.md); a package so one can share another's helpers."""
