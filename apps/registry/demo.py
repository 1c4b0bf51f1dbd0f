"""Demo data for this area; called by `manage.py load_demo` after the teams catalogue."""


def load(org) -> None:
    """Add this area's demo data to the demo organisation (idempotent)."""
