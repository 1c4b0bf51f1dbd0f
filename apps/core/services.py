"""Write helpers every app's services share."""

from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

ModelT = TypeVar("ModelT", bound=models.Model)


def apply_and_save(instance: ModelT, *, data: dict, fields: Iterable[str]) -> ModelT:
    """Set the given fields, validate the whole object (field rules, ``clean()``, uniqueness) and save
    it in one transaction; a ValidationError leaves the database untouched."""
    allowed = set(fields)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: "Unknown field." for name in unknown})
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a concurrent insert won the race on a unique value
        raise ValidationError(f"Could not save: {exc}") from exc
    return instance
