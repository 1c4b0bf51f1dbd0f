"""The `portal` command against a live portal (the test server on a real port, real HTTP): what it
writes is checked in the database, refusals name the problem and set the documented exit code."""

import json
import stat

import pytest
import yaml

from apps.outcomes.models import Observation
from apps.registry.models import Stage
from portal_client.cli import EXIT_DENIED, EXIT_REFUSED, EXIT_UNREACHABLE, main
from tests.factories import MembershipFactory, StaffFactory, TeamFactory, UserFactory, api_token
from tests.outcomes.factories import KpiFactory
from tests.registry.factories import CompleteCardModelFactory, register, training_frame

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lead():
    user = UserFactory()
    MembershipFactory(user=user, team=TeamFactory(slug="checkout-ml"), role="lead")
    return user


def test_login_checks_the_token_and_remembers_it_privately(portal, live_server, lead, client_config):
    result = portal("login", live_server.url, "--token", "not-a-token")
    assert result.exit_code == EXIT_DENIED
    assert "Invalid token" in result.output
    assert not client_config.exists()

    token = api_token(lead)
    assert portal("login", live_server.url, "--token", token).exit_code == 0
    assert json.loads(client_config.read_text()) == {"url": live_server.url, "token": token}
    assert stat.S_IMODE(client_config.stat().st_mode) == 0o600
    assert portal("catalogue", "--format", "json").exit_code == 0  # no --token: the saved one


def test_without_a_token_it_says_how_to_sign_in(portal):
    result = portal("catalogue")
    assert result.exit_code == EXIT_DENIED
    assert "portal login" in result.output


def test_an_unreachable_portal_is_exit_code_5(lead):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["--url", "http://127.0.0.1:9", "--token", "t", "catalogue"])
    assert result.exit_code == EXIT_UNREACHABLE
    assert "Cannot reach the portal at http://127.0.0.1:9" in result.output


def test_observations_from_a_csv_are_saved(portal, lead, tmp_path):
    kpi = KpiFactory(stream=lead.memberships.get().team.value_stream)
    csv = tmp_path / "obs.csv"
    csv.write_text(f"kpi,time,value,volume\n{kpi.pk},2026-11-01,0.31,120\n{kpi.pk},2026-11-02,0.33,\n")
    result = portal("--json", "observations", "post", str(csv), token=api_token(lead))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["saved"] == 2
    stored = list(Observation.objects.filter(kpi=kpi).order_by("time").values_list("value", "volume"))
    assert stored == [(0.31, 120.0), (0.33, 1.0)]


def test_a_bad_observation_file_names_the_line_and_saves_nothing(portal, lead, tmp_path):
    kpi = KpiFactory(stream=lead.memberships.get().team.value_stream)
    csv = tmp_path / "obs.csv"
    csv.write_text(f"kpi,time,value\n{kpi.pk},2026-11-01,0.31\n{kpi.pk},2026-11-02,lots\n")
    result = portal("observations", "post", str(csv), token=api_token(lead))
    assert result.exit_code == EXIT_REFUSED
    assert "line 3, column 'value': 'lots' is not a number" in result.output
    assert not Observation.objects.filter(kpi=kpi).exists()


def test_the_portal_s_refusal_comes_back_as_json_with_its_status(portal, lead, tmp_path):
    csv = tmp_path / "obs.csv"
    csv.write_text("kpi,time,value\n999999,2026-11-01,0.31\n")
    result = portal("--json", "observations", "post", str(csv), token=api_token(lead))
    assert result.exit_code == EXIT_REFUSED
    body = json.loads(result.stdout)
    assert body["status"] == 400 and body["body"]["errors"]


def test_promote_and_predict_from_a_csv(portal, lead, tmp_path):
    team = lead.memberships.get().team
    model = CompleteCardModelFactory(owning_team=team, slug="basket-propensity")
    version = register(model, score=0.9, baseline=0.5)
    token = api_token(lead)

    result = portal(
        "promote", model.slug, str(version.number), "--to", "staging", "--reason", "try", token=token
    )
    assert result.exit_code == 0, result.output
    version.refresh_from_db()
    assert version.stage == Stage.STAGING

    frame, _ = training_frame(rows=5)
    csv = tmp_path / "rows.csv"
    frame.to_csv(csv, index=False)
    result = portal("--json", "predict", model.slug, str(csv), "--version", str(version.number), token=token)
    assert result.exit_code == 0, result.output
    predictions = json.loads(result.stdout)["predictions"]
    assert len(predictions) == 5 and set(predictions) <= {0, 1}


def test_a_refused_promotion_names_the_failed_gates(portal, lead):
    model = CompleteCardModelFactory(owning_team=lead.memberships.get().team)
    version = register(model, score=0.5, baseline=0.6)  # worse than its baseline
    result = portal(
        "promote",
        model.slug,
        str(version.number),
        "--to",
        "production",
        "--reason",
        "go",
        token=api_token(lead),
    )
    assert result.exit_code == EXIT_REFUSED
    assert "baseline" in result.output.lower()
    version.refresh_from_db()
    assert version.stage != Stage.PRODUCTION


def test_catalogue_export_writes_backstage_yaml(portal, lead, tmp_path):
    CompleteCardModelFactory(owning_team=lead.memberships.get().team, slug="eta")
    output = tmp_path / "catalog-info.yaml"
    result = portal("catalogue", "--output", str(output), token=api_token(StaffFactory()))
    assert result.exit_code == 0, result.output
    kinds = {(doc["kind"], doc["metadata"]["name"]) for doc in yaml.safe_load_all(output.read_text())}
    assert ("Component", "eta") in kinds
