from django.core.exceptions import ValidationError


class Conflict(Exception):
    """A request that is well formed but not allowed in the object's current state (HTTP 409)."""

    def __init__(self, message: str, *, allowed: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.allowed = allowed or []


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as ``{field: [messages]}`` (``non_field_errors`` for the rest)."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [str(m) for e in errors for m in e]
            for field, errors in error.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}
