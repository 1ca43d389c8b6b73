"""Side-by-side benchmarks of workbench against real Dagster (``python -m benchmarks``)."""
