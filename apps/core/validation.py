"""The one validation layer at the edge: values PostgreSQL cannot store or compare are a 400 naming
the field before any view, serializer lookup or query sees them.

- NUL characters: PostgreSQL text cannot hold them, and a lookup (``SlugRelatedField``, a filter, a
  path segment) sends them to the database before any field validator runs. Every string and key of
  a parsed API body (JSON, form, multipart: :class:`JSONParser` and friends), every query parameter
  and the request path (:class:`RejectNulMiddleware`) are checked.
- Date-times: PostgreSQL accepts UTC offsets up to 15:59:59, and Python can only read back
  years 1 to 9999 in UTC. :func:`moment_problem` says what is wrong with one;
  :class:`BoundedDateTimeField` (serializers) and :class:`BoundedDateTimeFormField` (forms and
  filters) refuse such values with that message.
- Uploaded text files: :func:`detected_encoding` names UTF-16 and UTF-32 (the encodings spreadsheets
  export besides UTF-8), so a refusal says which encoding the file has rather than "binary data".
- Query parameters of API lists: an unknown parameter is a 400 naming the allowed ones
  (:func:`refuse_unknown_query_parameters`), so a typo never silently lists everything.
"""

import codecs
import datetime

import django_filters
from django import forms
from django.http import JsonResponse
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError, ValidationError

NUL = "\x00"
NUL_MESSAGE = "NUL characters (\\u0000) are not allowed."
MAX_UTC_OFFSET = datetime.timedelta(hours=15, minutes=59, seconds=59)  # PostgreSQL's limit
OUT_OF_RANGE = "The date-time must be between the years 1 and 9999 in UTC."
# Parameters every list understands besides its filters: DRF's ?format= and the paginator's.
COMMON_LIST_PARAMETERS = ("format",)


# --- NUL characters --------------------------------------------------------------------------------


def nul_fields(data, path: str = "") -> list[str]:
    """Dotted names of every key or string value in ``data`` holding a NUL (``rows.2.value``)."""
    found: list[str] = []
    if isinstance(data, str):
        if NUL in data:
            found.append(path or "non_field_errors")
    elif isinstance(data, dict):
        for key, value in data.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and NUL in key:
                found.append(name.replace(NUL, "\\u0000"))
            else:
                found.extend(nul_fields(value, name))
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found.extend(nul_fields(value, f"{path}.{index}" if path else str(index)))
    return found


def refuse_nul(data) -> None:
    """A 400 naming every field of ``data`` that holds a NUL character."""
    found = nul_fields(data)
    if found:
        raise ValidationError({name: [NUL_MESSAGE] for name in found})


def _querydict_as_dict(data):
    if not hasattr(data, "getlist"):
        return data
    return {key: values[0] if len(values) == 1 else values for key, values in data.lists()}


DEEP_JSON_MESSAGE = "JSON parse error - nested too deeply."


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        # ``[[[...]]]`` thousands deep makes the decoder (or the NUL walk) hit Python's recursion
        # limit: a RecursionError, which DRF's parser does not catch (a 500).
        try:
            data = super().parse(stream, media_type, parser_context)
            refuse_nul(data)
        except RecursionError:
            raise ParseError(DEEP_JSON_MESSAGE) from None
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_nul(_querydict_as_dict(data))
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_nul(_querydict_as_dict(parsed.data))
        return parsed


class RejectNulMiddleware:
    """A NUL in the path or in a query parameter (name or value) is a 400 naming it, as JSON for the
    API and as plain text for pages, not a 500 from the database in whichever view reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problems = {}
        if NUL in request.path:
            problems["path"] = [NUL_MESSAGE]
        for key, values in request.GET.lists():
            if NUL in key or any(NUL in value for value in values):
                problems[key.replace(NUL, "\\u0000")] = [NUL_MESSAGE]
        if not problems:
            return self.get_response(request)
        return JsonResponse(problems, status=400)


# --- date-times ------------------------------------------------------------------------------------


def moment_problem(value: datetime.datetime) -> str | None:
    """Why PostgreSQL could not store ``value`` (an offset beyond +-15:59, or a UTC time outside the
    years 1 to 9999), or None when it can."""
    if not isinstance(value, datetime.datetime):
        return None
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        return "The UTC offset must be between -15:59 and +15:59."
    try:
        (value.replace(tzinfo=None) - (offset or datetime.timedelta())).replace(tzinfo=datetime.UTC)
    except OverflowError:
        return OUT_OF_RANGE
    return None


class BoundedDateTimeField(serializers.DateTimeField):
    """DRF's date-time field, refusing values PostgreSQL cannot store (see :func:`moment_problem`)."""

    def to_internal_value(self, value):
        parsed = self._parse(value)
        problem = moment_problem(parsed)
        if problem:
            raise serializers.ValidationError(problem, code="out_of_range")
        return super().to_internal_value(value)

    def _parse(self, value):
        if isinstance(value, datetime.datetime):
            return value
        from django.utils.dateparse import parse_datetime

        try:
            return parse_datetime(str(value))
        except ValueError:
            return None


class BoundedDateTimeFormField(forms.DateTimeField):
    """Django's date-time form field (also behind django-filter's ``DateTimeFilter``), refusing values
    PostgreSQL cannot store, before the time zone conversion that would overflow on them."""

    def to_python(self, value):
        from django.utils.dateparse import parse_datetime

        if isinstance(value, str) and value.strip():
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            problem = moment_problem(parsed)
            if problem:
                raise forms.ValidationError(problem, code="out_of_range")
        try:
            return super().to_python(value)
        except OverflowError:
            raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range") from None


class DateTimeFilter(django_filters.DateTimeFilter):
    """django-filter's date-time filter with :class:`BoundedDateTimeFormField`: the one to use."""

    field_class = BoundedDateTimeFormField


# --- text encodings of uploaded files -------------------------------------------------------------

# Byte-order marks of the encodings spreadsheets export besides UTF-8 (longest first: UTF-32 LE's
# mark starts with UTF-16 LE's).
BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "UTF-32 (big-endian)"),
    (codecs.BOM_UTF16_LE, "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "UTF-16 (big-endian)"),
)


def detected_encoding(head: bytes) -> str | None:
    """The non-UTF-8 encoding the first bytes of a file show (a byte-order mark, or the zero bytes
    UTF-16 puts beside every ASCII character), or None when nothing points away from UTF-8."""
    for bom, name in BOMS:
        if head.startswith(bom):
            return name
    sample = head[:4096]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):  # at least a third NUL bytes
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > even * 4:
            return "UTF-16 (little-endian, no byte-order mark)"
        if even > odd * 4:
            return "UTF-16 (big-endian, no byte-order mark)"
    return None


# --- query parameters of API lists ------------------------------------------------------------------


def allowed_list_parameters(request, view, filterset) -> set[str]:
    """What a list endpoint reads from the query string: its filters (as the form names them), the
    paginator's, ordering/search when the view uses them, ``format``, and any the view declares in
    ``extra_query_parameters``."""
    allowed = set(COMMON_LIST_PARAMETERS) | set(getattr(view, "extra_query_parameters", ()))
    if filterset is not None:
        allowed |= set(filterset.form.fields)
        for name, field in filterset.form.fields.items():
            suffixes = getattr(getattr(field, "widget", None), "suffixes", None)
            if suffixes:
                allowed |= {f"{name}_{suffix}" if suffix else name for suffix in suffixes}
    paginator = getattr(view, "paginator", None)
    for attribute in ("page_query_param", "page_size_query_param", "limit_query_param", "offset_query_param"):
        name = getattr(paginator, attribute, None)
        if name:
            allowed.add(name)
    for backend in getattr(view, "filter_backends", ()):
        for attribute in ("ordering_param", "search_param"):
            name = getattr(backend, attribute, None)
            if name:
                allowed.add(name)
    return allowed


def refuse_unknown_query_parameters(request, view, filterset) -> None:
    """A 400 naming each unknown query parameter of a list and the ones that list allows."""
    allowed = allowed_list_parameters(request, view, filterset)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        message = f"Unknown query parameter. Allowed: {', '.join(sorted(allowed))}."
        raise ValidationError({name: [message] for name in unknown})
