"""OpenAPI schema post-processing: document the error answers every operation can give.

drf-spectacular documents what a view declares; the portal's error contract (DESIGN.md 4, "Errors")
applies to every endpoint, so it is added here once instead of in each view: 400 where the request
carries a body or query parameters, 401 and 403 everywhere (token or session required; team rules),
404 where an object named in the path or the body does not exist (on lists: a page past the last),
409 for writes refused in the current state, 413 and 415 for bodies, 414 for query strings longer
than the server reads."""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

ERROR_BODY = {
    "description": "",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": True,
                "description": "`detail` (and `allowed` for 409), or field names with their messages.",
            }
        }
    },
}
DESCRIPTIONS = {
    "400": "Bad input: the fields or query parameters at fault, each with its messages.",
    "401": "Not signed in (no or an unknown token).",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object (or a page past the last one).",
    "405": "Method not allowed on this resource.",
    "414": "The query string is longer than the server accepts.",
    "409": "Not possible in the object's current state; `allowed` lists what is.",
    "413": "The body is larger than the limit.",
    "415": "Unsupported media type of the body.",
}
WRITES = {"post", "put", "patch", "delete"}


def error_codes(path: str, method: str, operation: dict) -> list[str]:
    codes = ["401", "403", "405"]
    has_body = "requestBody" in operation
    if has_body or operation.get("parameters") or method in WRITES:
        codes.append("400")
    codes.append("404")  # an object named in the path, the body or a filter; a page past the last
    if any(parameter.get("in") == "query" for parameter in operation.get("parameters", ())):
        codes.append("414")
    if method in WRITES:
        codes.append("409")
    if has_body:
        codes += ["413", "415"]
    return codes


def document_error_responses(result, generator, request, public):
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in error_codes(path, method, operation):
                if code not in responses:
                    responses[code] = ERROR_BODY | {"description": DESCRIPTIONS[code]}
    return result


def _may_be_null(field) -> bool:
    """Whether a serializer field reads a value through a nullable model field (a nullable foreign
    key, or a reverse one-to-one that may be missing) of its serializer's model."""
    if isinstance(field, serializers.ManyRelatedField | serializers.ListSerializer):
        return False
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or field.source == "*":
        return False
    for name in field.source.split("."):
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if model_field.one_to_many or model_field.many_to_many:
            return False
        if model_field.null:
            return True
        if not model_field.is_relation:
            return False
        model = model_field.related_model
    return False


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's schema, telling the truth about null: a declared field (a slug of a related
    object, a nested serializer) that reads through a nullable model field is nullable in responses,
    as DRF's own generated fields already are."""

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if direction == "response" and "nullable" not in meta and _may_be_null(field):
            meta["nullable"] = True
        return meta
