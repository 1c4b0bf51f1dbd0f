"""The OpenAPI schema is generated without a single warning: every filter, field and response of
every endpoint has a type drf-spectacular could determine (a guess would document the wrong thing)."""

import yaml
from django.core.management import call_command


def test_schema_generates_without_warnings(tmp_path):
    output = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(output))
    schema = yaml.safe_load(output.read_text())
    paths = schema["paths"]
    audit_filters = {p["name"]: p["schema"] for p in paths["/api/v1/audit-events/"]["get"]["parameters"]}
    assert audit_filters["object_type"]["type"] == "string"
    # An account without an address has "" (no e-mail address): the field is documented as a string.
    assert schema["components"]["schemas"]["User"]["properties"]["email"] == {
        "type": "string",
        "readOnly": True,
        "description": "E-mail address; empty when none is recorded.",
    }
    # A version no training job produced has no job URL (found by Schemathesis' coverage phase).
    version = schema["components"]["schemas"]["ModelVersion"]["properties"]
    assert version["training_job_url"]["nullable"] is True
    # ?output=yaml answers with YAML, one document per entity: a documented media type of its own.
    catalog = paths["/api/v1/catalog/backstage/"]["get"]["responses"]["200"]["content"]
    assert set(catalog) == {"application/json", "application/yaml"}
    assert catalog["application/yaml"]["schema"]["type"] == "array"
