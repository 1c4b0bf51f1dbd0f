"""Bulk seeding shared by the benchmarks: streams and teams, model requests with their transition
history, registered models with versions, and hourly KPI observation series. Rows go in with
``bulk_create`` and ``INSERT ... SELECT generate_series`` (PostgreSQL) so a large organisation loads in
seconds. Import after ``django.setup()``."""

import contextlib
import datetime
import random
from collections.abc import Iterator, Sequence

from django.db import connection, transaction
from django.utils import timezone

from apps.modelrequests.models import ModelRequest, RequestStatus, RequestTransition
from apps.outcomes.models import Kpi, ModelCost
from apps.outcomes.rollup import rollup_rebuild_all
from apps.registry.models import ModelVersion, RegisteredModel, Stage
from apps.teams.models import Team, TeamType, ValueStream

REQUEST_PATH = [
    RequestStatus.SUBMITTED,
    RequestStatus.TRIAGED,
    RequestStatus.ACCEPTED,
    RequestStatus.IN_PROGRESS,
    RequestStatus.DELIVERED,
    RequestStatus.IN_PRODUCTION,
]
KPIS_PER_STREAM = 3
MODELS_OBSERVED_PER_STREAM = 3  # each with a treatment and a control series on one of the KPIs
SERIES_PER_STREAM = KPIS_PER_STREAM + 2 * MODELS_OBSERVED_PER_STREAM

INSERT_SERIES = """
INSERT INTO outcomes_observation (kpi_id, time, value, volume, segment, model_id, model_key, updated_at)
SELECT %(kpi)s, date_trunc('hour', now()) - make_interval(hours => h),
       %(base)s * (1 + %(lift)s + 0.05 * (random() - 0.5)), 1000, %(segment)s, %(model)s,
       COALESCE(%(model)s, 0), now()
FROM generate_series(1, %(hours)s) AS h
"""


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a transaction that is always rolled back: the benchmark leaves no rows."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def seed_streams(slugs: Sequence[str]) -> list[ValueStream]:
    return ValueStream.objects.bulk_create([ValueStream(name=slug, slug=slug) for slug in slugs])


def seed_teams(*, streams: Sequence[ValueStream], count: int, platform_every: int = 0) -> list[Team]:
    """``count`` teams; every ``platform_every``-th (from the first) is a platform team without a
    stream, the others are stream-aligned, spread over ``streams`` in turn."""
    return Team.objects.bulk_create(
        [
            Team(
                name=f"Bench team {i}",
                slug=f"bench-team-{i}",
                team_type=TeamType.PLATFORM if platform else TeamType.STREAM_ALIGNED,
                value_stream=None if platform else streams[i % len(streams)],
            )
            for i in range(count)
            for platform in [bool(platform_every) and i % platform_every == 0]
        ]
    )


def seed_requests(
    *,
    rng: random.Random,
    count: int,
    requesters: Sequence[Team],
    deliverers: Sequence[Team],
    streams: Sequence[ValueStream],
    days: int = 365,
    created_by=None,
) -> int:
    """``count`` requests submitted over the last ``days``, each at a random status with the
    transitions that led there (1-10 days apart). Returns the number of transitions."""
    now = timezone.now()
    rows = []
    for i in range(count):
        requester = rng.choice(requesters)
        rows.append(
            ModelRequest(
                title=f"Bench request {i}",
                problem_statement="-",
                requesting_team=requester,
                delivering_team=rng.choice(deliverers),
                value_stream=requester.value_stream or rng.choice(streams),
                kpi="Conversion",
                expected_change=1.0,
                affected_volume=1000,
                simplest_alternative="A rule.",
                status=rng.choice(REQUEST_PATH),
                submitted_at=now - datetime.timedelta(days=rng.uniform(1, days)),
                reach=rng.randint(10, 10000),
                impact=2,
                confidence=0.8,
                effort=rng.choice([1, 2, 4, None]),
                business_value=5,
                time_criticality=3,
                risk_reduction=2,
                job_size=rng.choice([1, 3, 8]),
                created_by=created_by,
            )
        )
    transitions = []
    for request in ModelRequest.objects.bulk_create(rows, batch_size=1000):
        at, previous = request.submitted_at, ""
        for status in REQUEST_PATH[: REQUEST_PATH.index(request.status) + 1]:
            transitions.append(
                RequestTransition(request=request, from_status=previous, to_status=status, at=at)
            )
            previous, at = status, min(at + datetime.timedelta(days=rng.uniform(1, 10)), now)
    RequestTransition.objects.bulk_create(transitions, batch_size=2000)
    return len(transitions)


def seed_models(
    *, rng: random.Random, owners: Sequence[Team], count: int, versions: int, created_by=None
) -> list[RegisteredModel]:
    """``count`` models owned by ``owners`` in turn, each with ``versions`` versions trained on the
    platform: the last in production, the earlier ones archived."""
    models = RegisteredModel.objects.bulk_create(
        [
            RegisteredModel(
                name=f"Bench model {i}",
                slug=f"bench-model-{i}",
                owning_team=(team := owners[i % len(owners)]),
                value_stream=team.value_stream,
                purpose="Benchmark model.",
                task="classification",
                primary_metric="roc_auc",
                lifecycle="production",
                card_model_details="Bench.",
                card_intended_use="Bench.",
            )
            for i in range(count)
        ],
        batch_size=500,
    )
    schema = [{"name": f"f{j}", "type": "number"} for j in range(6)]
    ModelVersion.objects.bulk_create(
        [
            ModelVersion(
                model=model,
                number=number,
                stage=Stage.PRODUCTION if number == versions else Stage.ARCHIVED,
                task="classification",
                dataset_name="bench",
                dataset_version=number,
                dataset_sha256="a" * 64,
                features=[c["name"] for c in schema],
                input_schema=schema,
                estimator="logistic_regression",
                parameters={"C": 1.0},
                code_version="bench",
                metrics={"roc_auc": 0.7 + rng.random() / 10, "accuracy": 0.8},
                baseline_metrics={"roc_auc": 0.5, "accuracy": 0.6},
                artefact_key=f"registry/{model.pk}/bench-{number}.skops",
                artefact_sha256="0" * 64,
                source_key=f"training-job:bench-{model.pk}-{number}",
                created_by=created_by,
            )
            for model in models
            for number in range(1, versions + 1)
        ],
        batch_size=1500,
    )
    return models


def seed_observations(models_by_stream: dict[ValueStream, Sequence[RegisteredModel]], rows: int) -> int:
    """About ``rows`` hourly observations: per stream, an "all" series for each of its KPIs and a
    treatment and a control series for each of its first models (each with a running cost), as many
    hours back as it takes. Rebuilds the daily aggregates (ingestion keeps them; this raw load does
    not) and returns their number. PostgreSQL only."""
    hours = -(-rows // (len(models_by_stream) * SERIES_PER_STREAM))
    with connection.cursor() as cursor:
        for stream, models in models_by_stream.items():
            kpis = [
                Kpi.objects.get_or_create(
                    stream=stream, name=f"KPI {i}", defaults={"unit": "rate", "value_per_unit": 20}
                )[0]
                for i in range(KPIS_PER_STREAM)
            ]
            for kpi in kpis:
                cursor.execute(
                    INSERT_SERIES,
                    {"kpi": kpi.pk, "base": 0.05, "lift": 0, "segment": "all", "model": None, "hours": hours},
                )
            for i, model in enumerate(models[:MODELS_OBSERVED_PER_STREAM]):
                ModelCost.objects.get_or_create(model=model, defaults={"monthly_running_cost": 1000})
                for segment, lift in (("treatment", 0.01 * i), ("control", 0.0)):
                    cursor.execute(
                        INSERT_SERIES,
                        {
                            "kpi": kpis[i % KPIS_PER_STREAM].pk,
                            "base": 0.05,
                            "lift": lift,
                            "segment": segment,
                            "model": model.pk,
                            "hours": hours,
                        },
                    )
    daily = rollup_rebuild_all()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE outcomes_observation")
        cursor.execute("ANALYZE outcomes_dailyaggregate")
    return daily
