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


def stored(instance: ModelT) -> ModelT:
    """The row as the database holds it now. Forms and serializers copy posted values onto the
    instance they are given, so a permission check must never trust that instance's fields."""
    return type(instance)._default_manager.get(pk=instance.pk)


def _comparable(field, value):
    if field.many_to_many:
        return (
            {getattr(item, "pk", item) for item in value.all()}
            if hasattr(value, "all")
            else {getattr(item, "pk", item) for item in value or ()}
        )
    if field.is_relation:
        return getattr(value, "pk", value)
    return value


def changed_fields(instance: models.Model, data: dict, *, before: models.Model | None = None) -> set[str]:
    """The names in ``data`` whose value differs from the stored row (``before``, loaded fresh when
    not given); a new instance changes every field it is given."""
    if instance.pk is None:
        return set(data)
    before = stored(instance) if before is None else before
    changed = set()
    for name, value in data.items():
        field = instance._meta.get_field(name)
        old = getattr(before, name if field.many_to_many else getattr(field, "attname", name))
        if _comparable(field, old) != _comparable(field, value):
            changed.add(name)
    return changed
