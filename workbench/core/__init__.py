"""The resource model itself: config, resources, definitions and the executor (no display)."""
