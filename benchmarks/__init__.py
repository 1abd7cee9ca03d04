"""Benchmarks of the connector against the fake Zoom API: `python -m benchmarks.full_sync`."""
