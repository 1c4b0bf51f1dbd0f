"""Models of this area (built by its issue)."""
