"""Benchmarks (`make bench`): measured, printed and saved to bench/results/, never asserted."""
