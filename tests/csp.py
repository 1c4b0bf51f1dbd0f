"""A Content-Security-Policy header read as its directives (django-csp writes them in no fixed order)."""


def csp_directives(header: str) -> dict[str, list[str]]:
    """``"default-src 'self'; img-src 'self' data:"`` -> ``{"default-src": ["'self'"], "img-src": [...]}``."""
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}
