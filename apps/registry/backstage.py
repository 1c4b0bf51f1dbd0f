"""The catalogue as Backstage entities (apiVersion backstage.io/v1alpha1).

Teams -> ``Group`` (spec.type = team type) with their members as ``User``; value streams -> ``Domain``
plus a ``System`` of the same name; registered models -> ``Component`` of type ``ml-model``; each
model's prediction endpoint -> ``API``. Every owner, system and domain reference points at an entity
in the same export.
"""

import re

import yaml
from django.db.models import Prefetch

from apps.registry.models import RegisteredModel
from apps.teams.models import Membership, Team, ValueStream

API_VERSION = "backstage.io/v1alpha1"
_INVALID = re.compile(r"[^A-Za-z0-9_.-]+")


def entity_name(value: str) -> str:
    """A Backstage metadata.name: [a-z0-9A-Z-_.], starts and ends alphanumeric, at most 63 chars."""
    return _INVALID.sub("-", value).strip("-_.")[:63].rstrip("-_.") or "unnamed"


def _entity(kind: str, name: str, spec: dict, **meta) -> dict:
    metadata = {"name": entity_name(name), **{k: v for k, v in meta.items() if v}}
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def user_ref(user) -> str:
    return f"user:{entity_name(user.username)}"


def group_ref(team) -> str:
    return f"group:{entity_name(team.slug)}"


def api_name(model: RegisteredModel) -> str:
    return entity_name(f"{model.slug}-predict")


def prediction_openapi(model: RegisteredModel, base_url: str) -> str:
    """A small OpenAPI 3 definition of the model's prediction endpoint (the API's ``definition``)."""
    path = f"/api/v1/models/{model.slug}/predict/"
    document = {
        "openapi": "3.0.3",
        "info": {"title": f"{model.name} predictions", "version": "1"},
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": {
            path: {
                "post": {
                    "summary": f"Predict with the production version of {model.name}",
                    "parameters": [
                        {"name": "version", "in": "query", "required": False, "schema": {"type": "integer"}}
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "description": "One of records, dataframe_split, "
                                    "dataframe_records or instances (MLflow scoring formats).",
                                }
                            }
                        },
                    },
                    "responses": {"200": {"description": "Predictions (and class probabilities)."}},
                    "security": [{"token": []}],
                }
            }
        },
        "components": {
            "securitySchemes": {"token": {"type": "apiKey", "in": "header", "name": "Authorization"}}
        },
    }
    return yaml.safe_dump(document, sort_keys=False)


def _stream_owners(streams, teams) -> dict[int, str]:
    """Who owns a stream's Domain/System: its product manager, else its first team."""
    first_team = {}
    for team in teams:
        if team.value_stream_id:
            first_team.setdefault(team.value_stream_id, team)
    owners = {}
    for stream in streams:
        if stream.product_manager:
            owners[stream.pk] = user_ref(stream.product_manager)
        elif stream.pk in first_team:
            owners[stream.pk] = group_ref(first_team[stream.pk])
    return owners


def build_entities(*, base_url: str = "http://localhost:8000") -> list[dict]:
    streams = list(ValueStream.objects.select_related("product_manager").order_by("name"))
    teams = list(
        Team.objects.order_by("name").prefetch_related(
            Prefetch(
                "memberships", queryset=Membership.objects.select_related("user").order_by("user__username")
            )
        )
    )
    models = list(RegisteredModel.objects.select_related("owning_team", "value_stream").order_by("name"))
    owners = _stream_owners(streams, teams)

    users: dict[str, dict] = {}
    groups_of: dict[str, list[str]] = {}
    for team in teams:
        for membership in team.memberships.all():
            users[user_ref(membership.user)] = membership.user
            groups_of.setdefault(user_ref(membership.user), []).append(group_ref(team))
    for stream in streams:
        if stream.product_manager:
            users.setdefault(user_ref(stream.product_manager), stream.product_manager)

    entities = []
    for stream in streams:
        if stream.pk not in owners:
            continue
        name = stream.slug
        meta = {"title": stream.name, "description": stream.description}
        entities.append(_entity("Domain", name, {"owner": owners[stream.pk]}, **meta))
        entities.append(_entity("System", name, {"owner": owners[stream.pk], "domain": name}, **meta))
    for team in teams:
        spec = {
            "type": team.team_type,
            "profile": {"displayName": team.name},
            "children": [],
            "members": [user_ref(m.user) for m in team.memberships.all()],
        }
        entities.append(_entity("Group", team.slug, spec, title=team.name, description=team.focus))
    for ref, user in sorted(users.items()):
        profile = {"displayName": user.get_full_name() or user.username}
        if user.email:
            profile["email"] = user.email
        entities.append(
            _entity("User", user.username, {"profile": profile, "memberOf": groups_of.get(ref, [])})
        )
    for model in models:
        entities.extend(_model_entities(model, owners, base_url))
    return entities


def _model_entities(model: RegisteredModel, owners: dict, base_url: str) -> list[dict]:
    system = {"system": entity_name(model.value_stream.slug)} if model.value_stream_id in owners else {}
    common = {"lifecycle": model.lifecycle, "owner": group_ref(model.owning_team), **system}
    meta = {
        "title": model.name,
        "description": model.purpose,
        "labels": {"support-tier": model.support_tier.replace("_", "-"), "task": model.task},
        "links": [{"url": f"{base_url.rstrip('/')}{model.get_absolute_url()}", "title": "Model page"}],
    }
    component = _entity(
        "Component",
        model.slug,
        {"type": "ml-model", **common, "providesApis": [f"api:{api_name(model)}"]},
        **meta,
    )
    api = _entity(
        "API",
        api_name(model),
        {"type": "openapi", **common, "definition": prediction_openapi(model, base_url)},
        title=f"{model.name} prediction API",
        description=f"POST /api/v1/models/{model.slug}/predict/",
    )
    return [component, api]


def to_yaml(entities: list[dict]) -> str:
    """Multi-document YAML, the form Backstage reads from a catalog-info location."""
    return yaml.safe_dump_all(entities, sort_keys=False, allow_unicode=True)
