"""Benchmarks behind `dialer bench ...`: each measures one path end to end and returns figures
as plain data; results are committed under bench/results/, never asserted on in tests."""
