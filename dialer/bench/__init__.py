"""Benchmarks whose figures are written to files (bench/results/), never asserted on time."""
