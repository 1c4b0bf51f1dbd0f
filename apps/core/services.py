"""Write helpers every app's services share."""

import operator
from collections.abc import Iterable
from functools import partial, reduce
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q

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
    for check in (partial(_validate_unique, instance), instance.validate_constraints):
        failed = {name for name in errors if name != NON_FIELD_ERRORS}
        try:
            check(exclude=failed)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _validate_unique(instance: models.Model, *, exclude: set[str]) -> None:
    """``validate_unique()`` with one query per model class for all its unique fields and sets of
    fields, not one query each: ``SELECT (name = ...), (slug = ...) ... WHERE name = ... OR slug = ...``
    (at most one row per check while the constraints hold); the database decides each equality."""
    model: Any = instance  # Django's own validate_unique() helpers, which the stubs do not declare
    unique_checks, date_checks = model._get_unique_checks(exclude=exclude)
    lookups: dict = {}
    for model_class, unique_check in unique_checks:
        values = {}
        for name in unique_check:
            field: Any = instance._meta.get_field(name)
            value = getattr(instance, field.attname)
            if value is None or (field in model_class._meta.pk_fields and not instance._state.adding):
                break  # as Django: no value (or the row's own key) means no check
            values[name] = value
        else:
            lookups.setdefault(model_class, []).append((unique_check, values))
    errors: dict = {}
    for model_class, checks in lookups.items():
        conditions = {f"unique_{index}": Q(**values) for index, (_, values) in enumerate(checks)}
        rows = model_class._default_manager.filter(reduce(operator.or_, conditions.values()))
        if not instance._state.adding and model._is_pk_set(model_class._meta):
            rows = rows.exclude(pk=model._get_pk_val(model_class._meta))
        flags = rows.annotate(
            **{name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in conditions.items()}
        ).values_list(*conditions)
        taken = {index for row in flags for index, flag in enumerate(row) if flag}
        for index in sorted(taken):
            unique_check = checks[index][0]
            key = unique_check[0] if len(unique_check) == 1 else NON_FIELD_ERRORS
            errors.setdefault(key, []).append(instance.unique_error_message(model_class, unique_check))
    date_errors = model._perform_date_checks(date_checks)
    for key, messages in date_errors.items():
        errors.setdefault(key, []).extend(messages)
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
