"""Bulk ingestion: all-or-nothing, idempotent upserts, row-level errors, 413, permissions."""

import io

import pytest

from apps.outcomes.ingest import MAX_ROWS
from apps.outcomes.models import DailyAggregate, Observation
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.outcomes.factories import KpiFactory
from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/observations/"


@pytest.fixture
def setup(team):
    model = RegisteredModelFactory(owning_team=team, value_stream=team.value_stream, slug="ranker")
    ModelVersionFactory(in_production=True, model=model, number=3)
    kpi = KpiFactory(stream=team.value_stream, name="Conversion")
    return kpi, model


def rows_for(kpi, count=3, **extra):
    return [
        {"kpi": kpi.pk, "time": f"2026-03-{i + 1:02d}", "value": 0.05 + i / 1000, "volume": 1000, **extra}
        for i in range(count)
    ]


def test_bulk_ingest_saves_rows_and_a_resent_batch_updates_them(api_as, team_engineer, setup):
    kpi, model = setup
    client = api_as(team_engineer)
    rows = rows_for(kpi, segment="treatment", model="ranker", version=3)
    response = client.post(URL, rows, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"saved": 3, "kpis": [kpi.pk]}

    rows[0]["value"] = 0.9
    assert client.post(URL, rows, format="json").status_code == 201
    assert Observation.objects.count() == 3
    first = Observation.objects.get(time__day=1)
    assert first.value == 0.9
    assert first.model == model and first.version.number == 3


def test_rows_without_model_are_unique_too(api_as, team_engineer, setup):
    kpi, _ = setup
    client = api_as(team_engineer)
    for _ in range(2):
        assert client.post(URL, {"rows": rows_for(kpi)}, format="json").status_code == 201
    assert Observation.objects.count() == 3


def test_one_bad_row_rejects_the_whole_batch_with_errors_by_row_and_field(api_as, team_engineer, setup):
    kpi, _ = setup
    rows = rows_for(kpi, count=5)
    rows[1]["value"] = "lots"
    rows[3]["segment"] = "maybe"
    rows[4]["kpi"] = 999999
    rows[4]["colour"] = "red"
    response = api_as(team_engineer).post(URL, rows, format="json")
    assert response.status_code == 400
    errors = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert errors == {(2, "value"), (4, "segment"), (5, "kpi"), (5, "colour")}
    assert "treatment, control, all" in str(response.json())
    assert Observation.objects.count() == 0


def test_rows_that_are_not_objects_are_reported_by_row_not_a_server_error(api_as, team_engineer, setup):
    kpi, _ = setup
    rows = [rows_for(kpi, count=1)[0], 7, "text"]
    response = api_as(team_engineer).post(URL, rows, format="json")
    assert response.status_code == 400, response.content
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "row"), (3, "row")]
    assert Observation.objects.count() == 0


def test_duplicate_keys_inside_a_batch_are_reported(api_as, team_engineer, setup):
    kpi, _ = setup
    rows = rows_for(kpi, count=2)
    rows[1]["time"] = rows[0]["time"]
    response = api_as(team_engineer).post(URL, rows, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "field": "time", "message": "Same KPI, time, segment and model as row 1."}
    ]
    assert Observation.objects.count() == 0


def test_unknown_model_or_version_and_missing_fields_are_named(api_as, team_engineer, setup):
    kpi, _ = setup
    rows = [
        {"kpi": kpi.pk, "time": "2026-01-01", "value": 1, "model": "nope"},
        {"kpi": kpi.pk, "time": "2026-01-02", "value": 1, "model": "ranker", "version": 7},
        {"kpi": kpi.pk, "value": 1},
        {"kpi": kpi.pk, "time": "yesterday", "value": 1, "volume": -3},
    ]
    response = api_as(team_engineer).post(URL, rows, format="json")
    errors = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert errors == {(1, "model"), (2, "version"), (3, "time"), (4, "time"), (4, "volume")}
    assert Observation.objects.count() == 0


def test_more_than_ten_thousand_rows_is_413_and_nothing_is_written(api_as, team_engineer, setup):
    kpi, _ = setup
    rows = [
        {"kpi": kpi.pk, "time": f"2026-01-01T00:00:{i % 60:02d}", "value": 1} for i in range(MAX_ROWS + 1)
    ]
    response = api_as(team_engineer).post(URL, rows, format="json")
    assert response.status_code == 413
    assert "10000" in response.json()["detail"]
    assert Observation.objects.count() == 0


def test_ten_thousand_rows_are_accepted(api_as, team_engineer, setup):
    kpi, _ = setup
    rows = [
        {"kpi": kpi.pk, "time": f"2026-01-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}", "value": i}
        for i in range(MAX_ROWS)
    ]
    assert api_as(team_engineer).post(URL, rows, format="json").status_code == 201
    assert Observation.objects.count() == MAX_ROWS


def test_outsiders_may_read_but_not_write(api_as, outsider, setup):
    kpi, _ = setup
    client = api_as(outsider)
    assert client.post(URL, rows_for(kpi), format="json").status_code == 403
    assert Observation.objects.count() == 0
    assert client.get(URL).status_code == 200


def test_model_owners_from_another_stream_may_send_their_models_rows(api_as, setup):
    kpi, model = setup
    owner = MembershipFactory(team=model.owning_team, role=MemberRole.DATA_SCIENTIST).user
    other_stream_member = MembershipFactory(team=TeamFactory(), role=MemberRole.LEAD).user
    rows = rows_for(kpi, segment="treatment", model="ranker")
    assert api_as(other_stream_member).post(URL, rows, format="json").status_code == 403
    assert Observation.objects.count() == 0
    assert api_as(owner).post(URL, rows, format="json").status_code == 201
    assert Observation.objects.filter(kpi=kpi, model__slug="ranker").count() == len(rows)


def test_staff_may_write_anywhere(api_as, staff_user, setup):
    kpi, _ = setup
    rows = rows_for(kpi)
    assert api_as(staff_user).post(URL, rows, format="json").status_code == 201
    assert Observation.objects.filter(kpi=kpi).count() == len(rows)


def test_anonymous_gets_401(anon_api):
    assert anon_api.post(URL, [], format="json").status_code == 401
    assert Observation.objects.count() == 0
    assert anon_api.get(URL).status_code == 401


def csv_upload(client, text: str):
    upload = io.BytesIO(text.encode())
    upload.name = "observations.csv"
    return client.post("/outcomes/observations/upload/", {"file": upload})


def test_csv_upload_in_the_browser_follows_the_same_rules(client, browser_login, team_engineer, setup):
    kpi, _ = setup
    browser_login(client, team_engineer)
    good = f"kpi,time,value,volume,segment\n{kpi.pk},2026-01-01,0.5,10,all\n{kpi.pk},2026-01-02,0.6,10,all\n"
    assert csv_upload(client, good).status_code == 302
    assert csv_upload(client, good).status_code == 302
    assert Observation.objects.count() == 2

    bad = f"kpi,time,value\n{kpi.pk},2026-02-01,0.5\n{kpi.pk},2026-02-02,abc\n"
    response = csv_upload(client, bad)
    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode()
    assert "value must be a number" in response.content.decode()
    assert Observation.objects.count() == 2


@pytest.mark.parametrize(
    ("encoding", "named"), [("utf-16", "UTF-16 (little-endian)"), ("utf-16-be", "UTF-16 (big-endian, no")]
)
def test_a_utf16_csv_is_refused_naming_its_encoding(
    client, browser_login, team_engineer, setup, encoding, named
):
    kpi, _ = setup
    browser_login(client, team_engineer)
    upload = io.BytesIO(f"kpi,time,value\n{kpi.pk},2026-01-01,1\n".encode(encoding))
    upload.name = "observations.csv"
    response = client.post("/outcomes/observations/upload/", {"file": upload})
    assert response.status_code == 400
    assert f"The file is {named}" in response.content.decode()
    assert Observation.objects.count() == 0


def test_csv_with_unknown_columns_is_rejected(client, browser_login, team_engineer, setup):
    kpi, _ = setup
    browser_login(client, team_engineer)
    response = csv_upload(client, f"kpi,when,value\n{kpi.pk},2026-01-01,1\n")
    assert response.status_code == 400
    assert "unknown column(s) when" in response.content.decode()


def test_csv_over_the_limit_is_413(client, browser_login, setup):
    kpi, _ = setup
    browser_login(client, UserFactory(is_staff=True))
    lines = "".join(f"{kpi.pk},2026-01-01T00:00:{i % 60:02d},1\n" for i in range(MAX_ROWS + 1))
    response = csv_upload(client, "kpi,time,value\n" + lines)
    assert response.status_code == 413
    assert Observation.objects.count() == 0


def test_a_resent_batch_changes_what_the_impact_endpoint_reports(api_as, team_engineer, setup):
    kpi, _ = setup
    client = api_as(team_engineer)
    treatment = rows_for(kpi, count=10, segment="treatment", model="ranker")
    control = rows_for(kpi, count=10, segment="control", model="ranker")
    for row in control:
        row["value"] -= 0.01
    assert client.post(URL, treatment + control, format="json").status_code == 201
    url = f"/api/v1/streams/{kpi.stream.slug}/impact/?period=all"
    lift = client.get(url).json()["models"][0]["kpis"][0]["lift"]
    assert lift == pytest.approx(0.01)
    for row in treatment:
        row["value"] += 0.02
    assert client.post(URL, treatment, format="json").status_code == 201
    assert client.get(url).json()["models"][0]["kpis"][0]["lift"] == pytest.approx(0.03)
    assert DailyAggregate.objects.filter(kpi=kpi).count() == 20


def test_admin_deletions_keep_the_daily_aggregates_in_step(client, staff_user, setup):
    kpi, _ = setup
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    from apps.outcomes.services import observations_ingest

    observations_ingest(actor=staff_user, rows=rows_for(kpi, count=2))
    victim = Observation.objects.order_by("time").first()
    response = client.post(f"/admin/outcomes/observation/{victim.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert DailyAggregate.objects.filter(kpi=kpi).count() == 1


def test_an_admin_edit_moving_an_observation_refreshes_both_days(client, staff_user, setup):
    kpi, _ = setup
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    from apps.outcomes.services import observations_ingest

    observations_ingest(actor=staff_user, rows=rows_for(kpi, count=2))
    moved = Observation.objects.order_by("time").first()
    response = client.post(
        f"/admin/outcomes/observation/{moved.pk}/change/",
        {
            "kpi": kpi.pk,
            "time_0": "2026-03-02",
            "time_1": "12:00:00",
            "segment": moved.segment,
            "value": "0.5",
            "volume": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    moved.refresh_from_db()
    assert (moved.value, moved.time.date().isoformat()) == (0.5, "2026-03-02")
    days = DailyAggregate.objects.filter(kpi=kpi).order_by("day")
    assert [(day.day.isoformat(), day.n) for day in days] == [("2026-03-02", 2)]  # 1 March emptied


@pytest.mark.parametrize("value", [1e-300, 1e200, -1e200])
def test_values_whose_square_does_not_fit_a_float_are_refused_naming_the_field(
    api_as, team_engineer, setup, value
):
    kpi, _ = setup
    rows = rows_for(kpi, count=2)
    rows[1]["value"] = value
    response = api_as(team_engineer).post(URL, rows, format="json")
    assert response.status_code == 400, response.content
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "value")]
    assert Observation.objects.count() == 0


def test_rows_written_around_the_ingest_with_extreme_values_still_roll_up(setup):
    from apps.outcomes.rollup import days_of, rollup_refresh
    from tests.outcomes.factories import day

    kpi, _ = setup
    rows = Observation.objects.bulk_create(
        Observation(kpi=kpi, time=day(i), value=value, volume=1.0)
        for i, value in enumerate([1e-300, 1e300, 2.0])
    )
    assert rollup_refresh(days_by_kpi=days_of(rows)) == 3
    totals = {row.day.day: row.total for row in DailyAggregate.objects.filter(kpi=kpi)}
    assert totals[1] == 0.0 and totals[3] == 2.0 and totals[2] != totals[2]  # tiny -> 0, huge -> NaN


@pytest.mark.django_db(transaction=True)
def test_concurrent_ingests_of_one_kpi_and_day_both_roll_up(team_engineer, setup):
    """Found by the soak test: two batches of one KPI on the same day, ingested at the same moment, both
    inserted the day's aggregate row and the second failed on its unique constraint (a 500)."""
    from apps.outcomes.ingest import observations_ingest
    from tests.registry.test_concurrency import run_together

    kpi, _ = setup
    batches = [
        [{"kpi": kpi.pk, "time": f"2026-03-01T{hour:02d}:00:00Z", "value": 1.0, "segment": "treatment"}]
        for hour in range(6)
    ]
    _, errors = run_together(
        [lambda rows=rows: observations_ingest(actor=team_engineer, rows=rows) for rows in batches]
    )
    assert errors == []
    (daily,) = DailyAggregate.objects.filter(kpi=kpi, segment="treatment")
    assert daily.n == 6 and daily.total == 6.0
