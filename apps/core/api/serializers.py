"""Serializer behaviour shared by every app's API."""

from rest_framework import serializers


class StrictFieldsMixin:
    """Serializer mixin: unknown input fields are an error naming them, not silently dropped."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data.keys()) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [f"Unknown field. Allowed fields: {', '.join(sorted(writable))}."]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)
