"""Benchmarks: synthetic data sets and timed runs whose figures go to bench/results/."""
