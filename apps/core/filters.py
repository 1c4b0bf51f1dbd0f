"""Filters every app's filtersets share.

Yes/no filters use ``YesNoFilter``: django-filter's ``BooleanFilter`` turns any unknown value into
"no filter" (``NullBooleanField`` maps it to None), so ``?overdue=maybe`` silently listed everything.
Here an unknown value is a form error naming the allowed values, which the API answers with a 400
(django-filter's DRF backend) and the browser pages ignore (the filterset skips invalid fields).
"""

import django_filters
import django_filters.fields
from django import forms
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

TRUE_VALUES = ("true", "1")
FALSE_VALUES = ("false", "0")


class AnyYesNo(forms.Select):
    """A yes/no filter whose empty choice reads "Any" (django-filter's default says "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", "Any"), ("true", "Yes"), ("false", "No")])

    def format_value(self, value):
        return super().format_value({True: "true", False: "false"}.get(value, value))


class YesNoField(forms.NullBooleanField):
    """``true``/``false`` (also ``1``/``0``, any case); empty means "any"; anything else is invalid."""

    widget = AnyYesNo
    default_error_messages = {
        "invalid": "“%(value)s” is not a yes/no value. Allowed: true, false (or empty for any).",
    }

    def to_python(self, value):
        if value in (None, "") or isinstance(value, bool):
            return value if isinstance(value, bool) else None
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})


class YesNoFilter(django_filters.BooleanFilter):
    """The yes/no filter of every filterset (never a bare ``BooleanFilter``: it ignores junk)."""

    field_class = YesNoField


def filter_errors(filterset) -> dict[str, list[str]]:
    """A filterset's errors by parameter, for a 400. A choice filter's also names the allowed values
    (Django's message names only the value given)."""
    errors = {}
    for name, problems in filterset.form.errors.as_data().items():
        messages = [message for problem in problems for message in problem.messages]
        allowed = _fixed_choices(filterset.form.fields.get(name))
        if allowed and any(problem.code == "invalid_choice" for problem in problems):
            messages.append(f"Allowed: {', '.join(allowed)}.")
        errors[name] = messages
    return errors


def _fixed_choices(field) -> list[str]:
    """A fixed choice field's values (not a model's rows: those are slugs, and can be many)."""
    if not isinstance(field, forms.ChoiceField) or isinstance(field, forms.ModelChoiceField):
        return []
    return [str(value) for value, label in field.choices if value not in ("", None)]


class PortalFilterBackend(DjangoFilterBackend):
    """django-filter's backend; an invalid filter value is a 400 naming the filter and, for a
    choice, the allowed values (an unknown slug too); on a list an unknown parameter is a 400 naming
    the allowed ones."""

    def filter_queryset(self, request, queryset, view):
        from apps.core.validation import refuse_unknown_query_parameters

        filterset = self.get_filterset(request, queryset, view)
        if getattr(view, "action", None) == "list":
            refuse_unknown_query_parameters(request, view, filterset)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(filter_errors(filterset))
        return filterset.qs


LARGEST_ID = 2**63 - 1


def _beyond_64_bits(value) -> bool:
    text = str(value).strip() if value is not None else ""
    return text.lstrip("+-").isdigit() and abs(int(text)) > LARGEST_ID


class BoundedNumberField(forms.DecimalField):
    """A number filter's field. A whole number beyond 64 bits (an id or a count no row can have) is
    refused before it reaches the database: PostgreSQL finds nothing for it, but SQLite (the quick
    start) raises OverflowError, a 500."""

    def to_python(self, value):
        if _beyond_64_bits(value):
            raise forms.ValidationError(
                f"Enter a whole number between -{LARGEST_ID} and {LARGEST_ID}.", code="invalid"
            )
        return super().to_python(value)


class BoundedModelChoiceField(django_filters.fields.ModelChoiceField):
    """A model choice filter's field: a whole number beyond 64 bits is "not one of the choices",
    refused before the database sees it (see ``BoundedNumberField``)."""

    def to_python(self, value):
        if _beyond_64_bits(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedNumberFilter(django_filters.NumberFilter):
    """The number filter of every filterset (never a bare ``NumberFilter``)."""

    field_class = BoundedNumberField


class BoundedModelChoiceFilter(django_filters.ModelChoiceFilter):
    """The model choice filter of every filterset (never a bare ``ModelChoiceFilter``)."""

    field_class = BoundedModelChoiceField


_BOUNDED = {
    django_filters.NumberFilter: BoundedNumberFilter,
    django_filters.ModelChoiceFilter: BoundedModelChoiceFilter,
}


class PortalFilterSet(django_filters.FilterSet):
    """Every list's filterset. Filters generated from ``Meta.fields`` are the bounded ones above; a
    model choice's empty choice reads "Any <its label>" ("Any team", "Any stream"), other choices'
    "Any" (FILTERS_EMPTY_CHOICE_LABEL), never Django's "---------"."""

    FILTER_DEFAULTS = {
        db_field: {**spec, "filter_class": _BOUNDED.get(spec["filter_class"], spec["filter_class"])}
        for db_field, spec in FILTER_FOR_DBFIELD_DEFAULTS.items()
    }

    @property
    def form(self):
        form = super().form
        for name, field in form.fields.items():
            if getattr(field, "empty_label", None) == "---------":
                label = str(field.label or name.replace("_", " "))
                field.empty_label = f"Any {label[:1].lower()}{label[1:]}"
        return form
