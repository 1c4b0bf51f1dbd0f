"""The Backstage export is valid against Backstage's own catalog schemas and self-contained."""

import io
import json
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from apps.registry import services
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, PlatformTeamFactory, StaffFactory, TeamFactory, UserFactory
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import CompleteCardModelFactory, register

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "backstage_schemas"
KIND_FILES = {
    "Group": "Group", "User": "User", "Domain": "Domain", "System": "System", "Component": "Component",
    "API": "API",
}  # fmt: skip


def _schema(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def validators():
    resources = [
        (schema["$id"], Resource(contents=schema, specification=DRAFT7))
        for schema in map(_schema, SCHEMAS.rglob("*.schema.json"))
    ]
    registry = Registry().with_resources(resources)
    return {
        kind: Draft7Validator(_schema(SCHEMAS / "kinds" / f"{name}.v1alpha1.schema.json"), registry=registry)
        for kind, name in KIND_FILES.items()
    } | {"envelope": Draft7Validator(_schema(SCHEMAS / "EntityEnvelope.schema.json"), registry=registry)}


@pytest.fixture
def catalogue():
    owner = TeamFactory(slug="fraud-signals", name="Fraud Signals")
    MembershipFactory(team=owner, role=MemberRole.LEAD, user=UserFactory(username="leo.n@corp"))
    PlatformTeamFactory(slug="ml-platform")
    model = CompleteCardModelFactory(owning_team=owner, value_stream=owner.value_stream, slug="fraud-scorer")
    model.consuming_teams.add(TeamFactory())
    services.version_promote(
        version=register(model), actor=StaffFactory(), to_stage="production", reason="go"
    )
    return model


def parse_ref(ref: str, default_kind: str) -> tuple[str, str]:
    kind, _, name = ref.rpartition(":") if ":" in ref else (default_kind, "", ref)
    return kind.lower(), name.split("/")[-1]


def assert_valid_and_resolving(entities, validators):
    assert entities
    index = {(e["kind"].lower(), e["metadata"]["name"]) for e in entities}
    assert len(index) == len(entities), "entity names must be unique per kind"
    for entity in entities:
        for validator in (validators["envelope"], validators[entity["kind"]]):
            errors = sorted(validator.iter_errors(entity), key=str)
            assert not errors, f"{entity['kind']} {entity['metadata']['name']}: {errors[0].message}"
        spec = entity["spec"]
        refs = [(spec["owner"], "group")] if "owner" in spec else []
        refs += [(spec["system"], "system")] if "system" in spec else []
        refs += [(spec["domain"], "domain")] if "domain" in spec else []
        refs += [(r, "user") for r in spec.get("members", [])] + [
            (r, "group") for r in spec.get("memberOf", [])
        ]
        refs += [(r, "api") for r in spec.get("providesApis", [])]
        for ref, default_kind in refs:
            assert parse_ref(ref, default_kind) in index, f"{ref} does not resolve inside the export"


def test_api_export_is_valid_and_self_contained(api_as, outsider, catalogue, validators):
    entities = api_as(outsider).get("/api/v1/catalog/backstage/").json()["items"]
    assert_valid_and_resolving(entities, validators)
    kinds = {e["kind"] for e in entities}
    assert kinds == {"Group", "User", "Domain", "System", "Component", "API"}
    component = next(e for e in entities if e["kind"] == "Component")
    assert component["spec"]["type"] == "ml-model" and component["spec"]["owner"] == "group:fraud-signals"
    assert component["spec"]["lifecycle"] == catalogue.lifecycle
    group = next(e for e in entities if e["kind"] == "Group" and e["metadata"]["name"] == "fraud-signals")
    assert group["spec"]["type"] == "stream_aligned" and group["spec"]["members"] == ["user:leo.n-corp"]
    platform = next(e for e in entities if e["kind"] == "Group" and e["metadata"]["name"] == "ml-platform")
    assert platform["spec"]["type"] == "platform"
    api = next(e for e in entities if e["kind"] == "API")
    definition = yaml.safe_load(api["spec"]["definition"])
    assert "/api/v1/models/fraud-scorer/predict/" in definition["paths"]


def test_yaml_output_of_the_endpoint(api_as, outsider, catalogue, validators):
    response = api_as(outsider).get("/api/v1/catalog/backstage/?output=yaml")
    assert response["Content-Type"].startswith("application/yaml")
    assert_valid_and_resolving(list(yaml.safe_load_all(response.content)), validators)


def test_management_command_to_stdout_and_file(catalogue, validators, tmp_path):
    out = io.StringIO()
    call_command("export_backstage", stdout=out)
    assert_valid_and_resolving(list(yaml.safe_load_all(out.getvalue())), validators)
    target = tmp_path / "catalog-info.yaml"
    call_command("export_backstage", output=str(target), stderr=io.StringIO())
    assert list(yaml.safe_load_all(target.read_text())) == list(yaml.safe_load_all(out.getvalue()))


def test_an_invalid_entity_is_caught(validators):
    broken = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "-bad name-"},
        "spec": {"type": "ml-model", "owner": "group:x"},
    }
    assert list(validators["Component"].iter_errors(broken))


def test_export_query_count(api_as, outsider, catalogue):
    def add_rows():
        team = TeamFactory()
        MembershipFactory(team=team)
        CompleteCardModelFactory(owning_team=team, value_stream=team.value_stream)

    assert_queries_independent_of_rows(api_as(outsider), "/api/v1/catalog/backstage/", add_rows)
