"""Write helpers every app's services share."""

from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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
    validate(instance)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a concurrent insert won the race on a unique value
        raise ValidationError(f"Could not save: {exc}") from exc
    return instance


def _loaded_relations(instance: models.Model) -> list[str]:
    """Foreign keys set to a row this process read from the database: ``full_clean`` would query
    again that it exists (a query each), which the foreign key constraint checks at save anyway."""
    names = []
    for field in instance._meta.concrete_fields:
        if (
            not isinstance(field, models.ForeignKey)
            or field.remote_field.limit_choices_to
            or field.validators
        ):
            continue
        if field.is_cached(instance):
            related = field.get_cached_value(instance)
            if related is not None and related.pk is not None and not related._state.adding:
                names.append(field.name)
    return names


def validate(instance: models.Model) -> None:
    """``full_clean()`` (field rules, ``clean()``, then uniqueness and constraints for the fields that
    passed) without re-reading the rows that loaded foreign keys point to."""
    errors: dict = {}
    try:
        instance.clean_fields(exclude=_loaded_relations(instance))
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for check in (instance.validate_unique, instance.validate_constraints):
        failed = {name for name in errors if name != NON_FIELD_ERRORS}
        try:
            check(exclude=failed)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


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
