"""Demo data: 45 model requests across the four streams, in every status, with six months of
back-dated workflow history (explicit timestamps), scores, comments and a recent pile-up on the ML
Platform's queue so the flow page shows a bottleneck. Written with bulk inserts: it stays fast."""

import datetime
import random

from django.utils import timezone

from apps.modelrequests.models import (
    Board,
    LabelAvailability,
    ModelRequest,
    RequestComment,
    RequestStatus,
    RequestTransition,
    ScoringMethod,
)
from apps.modelrequests.scoring import DEFAULT_SCALES
from apps.teams.models import MemberRole, Membership

S = RequestStatus
SELF = None  # the requesting team builds it itself on the platform

# title, requesting team, delivering team (SELF: self-service), KPI, expected change %, monthly volume,
# final status, registered model slug (linked when the registry has it)
REQUESTS = [
    (
        "Upsell recommendations at checkout",
        "checkout-experience",
        "ml-platform",
        "Average order value",
        3.0,
        120_000,
        S.IN_PRODUCTION,
        "upsell-recommender",
    ),
    (
        "Predict payment authorisation failures",
        "payments",
        "ml-platform",
        "Payment success rate",
        1.5,
        300_000,
        S.IN_PROGRESS,
        None,
    ),
    (
        "Delivery-slot ETA on the checkout page",
        "checkout-experience",
        "ml-platform",
        "Checkout conversion",
        1.0,
        200_000,
        S.DELIVERED,
        "delivery-eta",
    ),
    (
        "Basket abandonment nudge timing",
        "checkout-experience",
        "ml-platform",
        "Checkout conversion",
        2.0,
        150_000,
        S.SUBMITTED,
        None,
    ),
    (
        "Smart payment retry scheduling",
        "payments",
        "ml-platform",
        "Payment success rate",
        0.8,
        40_000,
        S.TRIAGED,
        None,
    ),
    (
        "Address autocomplete error detection",
        "checkout-experience",
        "data-platform",
        "Checkout conversion",
        0.5,
        90_000,
        S.REJECTED,
        None,
    ),
    (
        "Payment method ordering per customer",
        "payments",
        SELF,
        "Payment success rate",
        0.6,
        250_000,
        S.SELF_SERVICE,
        None,
    ),
    (
        "Promo code abuse detection",
        "checkout-experience",
        "ml-platform",
        "Gross margin",
        0.4,
        20_000,
        S.ACCEPTED,
        None,
    ),
    (
        "Shipping cost sensitivity model",
        "checkout-experience",
        "ml-platform",
        "Checkout conversion",
        1.2,
        180_000,
        S.SUBMITTED,
        None,
    ),
    (
        "Card BIN risk pre-check",
        "payments",
        "ml-platform",
        "Payment success rate",
        0.3,
        300_000,
        S.RETIRED,
        None,
    ),
    (
        "Real-time card-not-present fraud scorer",
        "fraud-signals",
        "ml-platform",
        "Fraud loss rate",
        -15.0,
        500_000,
        S.IN_PRODUCTION,
        "fraud-scorer",
    ),
    (
        "Manual review queue prioritisation",
        "risk-operations",
        "ml-platform",
        "Review hours per week",
        -20.0,
        8_000,
        S.IN_PROGRESS,
        None,
    ),
    (
        "Chargeback dispute win predictor",
        "risk-operations",
        "ml-platform",
        "Chargeback recovery rate",
        5.0,
        3_000,
        S.ACCEPTED,
        None,
    ),
    (
        "Account takeover detection",
        "fraud-signals",
        "ml-platform",
        "Fraud loss rate",
        -8.0,
        400_000,
        S.TRIAGED,
        None,
    ),
    (
        "Synthetic identity detection at sign-up",
        "fraud-signals",
        "ml-platform",
        "Fraud loss rate",
        -4.0,
        60_000,
        S.SUBMITTED,
        None,
    ),
    (
        "False-decline recovery model",
        "fraud-signals",
        "ml-platform",
        "False decline rate",
        -10.0,
        450_000,
        S.DELIVERED,
        None,
    ),
    (
        "Refund abuse scoring",
        "risk-operations",
        SELF,
        "Refund abuse losses",
        -12.0,
        15_000,
        S.IN_PROGRESS,
        None,
    ),
    (
        "Device fingerprint clustering",
        "fraud-signals",
        "data-platform",
        "Fraud loss rate",
        -3.0,
        500_000,
        S.REJECTED,
        None,
    ),
    (
        "Merchant risk tiering",
        "risk-operations",
        "ml-platform",
        "Chargeback rate",
        -5.0,
        2_000,
        S.RETIRED,
        None,
    ),
    (
        "Velocity rule tuning with ML",
        "fraud-signals",
        "ml-platform",
        "False decline rate",
        -4.0,
        500_000,
        S.SUBMITTED,
        None,
    ),
    (
        "Store-day demand forecast",
        "demand-planning",
        "forecasting-science",
        "Forecast error (WAPE)",
        -10.0,
        2_000_000,
        S.IN_PRODUCTION,
        "demand-forecast",
    ),
    (
        "Promotion uplift forecast",
        "demand-planning",
        "forecasting-science",
        "Forecast error (WAPE)",
        -6.0,
        300_000,
        S.IN_PROGRESS,
        None,
    ),
    (
        "Fresh produce waste prediction",
        "demand-planning",
        "forecasting-science",
        "Waste rate",
        -15.0,
        500_000,
        S.ACCEPTED,
        None,
    ),
    (
        "Courier delivery ETA prediction",
        "fulfilment",
        "ml-platform",
        "On-time delivery rate",
        4.0,
        600_000,
        S.IN_PRODUCTION,
        "delivery-eta",
    ),
    ("Pick-path optimisation", "fulfilment", "ml-platform", "Picks per hour", 5.0, 900_000, S.REJECTED, None),
    (
        "Warehouse slotting recommendations",
        "fulfilment",
        SELF,
        "Picks per hour",
        3.0,
        900_000,
        S.SELF_SERVICE,
        None,
    ),
    (
        "New product demand cold-start",
        "demand-planning",
        "forecasting-science",
        "Availability",
        2.0,
        50_000,
        S.TRIAGED,
        None,
    ),
    (
        "Out-of-stock early warning",
        "demand-planning",
        "forecasting-science",
        "Availability",
        1.5,
        400_000,
        S.SUBMITTED,
        None,
    ),
    (
        "Courier no-show prediction",
        "fulfilment",
        "ml-platform",
        "On-time delivery rate",
        1.0,
        60_000,
        S.DELIVERED,
        None,
    ),
    (
        "Seasonal staffing forecast",
        "fulfilment",
        "forecasting-science",
        "Labour cost per order",
        -3.0,
        100,
        S.RETIRED,
        None,
    ),
    (
        "Returns volume forecast",
        "fulfilment",
        "forecasting-science",
        "Labour cost per order",
        -1.0,
        80_000,
        S.SUBMITTED,
        None,
    ),
    (
        "Learning-to-rank for product search",
        "personalisation",
        "search-ranking",
        "Search conversion",
        4.0,
        3_000_000,
        S.IN_PRODUCTION,
        "search-ranker",
    ),
    (
        "Churn prediction for subscribers",
        "lifecycle-marketing",
        SELF,
        "Monthly churn rate",
        -8.0,
        200_000,
        S.IN_PRODUCTION,
        "churn-predictor",
    ),
    (
        "Personalised homepage carousel",
        "personalisation",
        "ml-platform",
        "Click-through rate",
        6.0,
        2_500_000,
        S.IN_PROGRESS,
        None,
    ),
    (
        "Next-best-offer e-mail",
        "lifecycle-marketing",
        "ml-platform",
        "E-mail conversion",
        10.0,
        800_000,
        S.ACCEPTED,
        None,
    ),
    (
        "Query autocomplete suggestions",
        "personalisation",
        "search-ranking",
        "Search conversion",
        2.0,
        3_000_000,
        S.TRIAGED,
        None,
    ),
    (
        "Win-back propensity",
        "lifecycle-marketing",
        "ml-platform",
        "Reactivation rate",
        5.0,
        150_000,
        S.SUBMITTED,
        None,
    ),
    (
        "Customer lifetime value estimate",
        "lifecycle-marketing",
        "ml-platform",
        "Marketing ROI",
        7.0,
        1_000_000,
        S.TRIAGED,
        None,
    ),
    (
        "Size recommendation for apparel",
        "personalisation",
        "ml-platform",
        "Return rate",
        -5.0,
        400_000,
        S.SUBMITTED,
        None,
    ),
    (
        "Push notification send-time optimisation",
        "lifecycle-marketing",
        "ml-platform",
        "App open rate",
        3.0,
        500_000,
        S.REJECTED,
        None,
    ),
    (
        "Similar items on the product page",
        "personalisation",
        "search-ranking",
        "Click-through rate",
        2.0,
        2_000_000,
        S.DELIVERED,
        None,
    ),
    (
        "Loyalty tier upgrade nudges",
        "lifecycle-marketing",
        "ml-platform",
        "Loyalty revenue",
        2.0,
        300_000,
        S.RETIRED,
        None,
    ),
    (
        "Spelling correction in search",
        "personalisation",
        "search-ranking",
        "Zero-result searches",
        -20.0,
        3_000_000,
        S.ACCEPTED,
        None,
    ),
    (
        "Cross-sell bundles",
        "personalisation",
        "ml-platform",
        "Average order value",
        1.5,
        800_000,
        S.SUBMITTED,
        None,
    ),
    (
        "Price elasticity per category",
        "demand-planning",
        "ml-platform",
        "Gross margin",
        1.0,
        700_000,
        S.SUBMITTED,
        None,
    ),
]

DELIVERY_PATH = [S.SUBMITTED, S.TRIAGED, S.ACCEPTED, S.IN_PROGRESS, S.DELIVERED, S.IN_PRODUCTION, S.RETIRED]
SELF_SERVICE_PATH = [S.SUBMITTED, S.TRIAGED, S.SELF_SERVICE, S.IN_PROGRESS, S.DELIVERED, S.IN_PRODUCTION]
# How long ago (days) a request in each final status was submitted: recent asks still wait.
SUBMITTED_DAYS_AGO = {
    S.SUBMITTED: (2, 24),
    S.TRIAGED: (6, 30),
    S.ACCEPTED: (25, 70),
    S.REJECTED: (30, 150),
    S.SELF_SERVICE: (20, 80),
    S.IN_PROGRESS: (40, 110),
    S.DELIVERED: (70, 140),
    S.IN_PRODUCTION: (100, 175),
    S.RETIRED: (160, 180),
}
REQUESTING_SIDE = {S.IN_PRODUCTION, S.RETIRED}


def path_to(final: str, *, self_service: bool) -> list[str]:
    if final == S.REJECTED:
        return [S.SUBMITTED, S.TRIAGED, S.REJECTED]
    path = SELF_SERVICE_PATH if self_service else DELIVERY_PATH
    return path[: path.index(final) + 1]


def _timestamps(rng: random.Random, path: list[str], now: datetime.datetime) -> list[datetime.datetime]:
    low, high = SUBMITTED_DAYS_AGO[path[-1]]
    start = now - datetime.timedelta(days=rng.uniform(low, high))
    gaps = [rng.uniform(2, 20) for _ in path[1:]]
    room = (now - start).total_seconds() / 86400 - 1
    scale = min(1.0, room / sum(gaps)) if gaps else 1.0
    times = [start]
    for gap in gaps:
        times.append(times[-1] + datetime.timedelta(days=gap * scale))
    return times


# Decisions waiting for the demo logins: Checkout's accountable PM (`pm`) still has to value one
# Checkout request, ML Platform's PM (`noah`) to size an accepted one.
NOT_VALUED = {"Shipping cost sensitivity model"}
NOT_SIZED = {"Promo code abuse detection"}
VALUE_INPUTS = ("reach", "impact", "confidence", "business_value", "time_criticality", "risk_reduction")


def _scores(rng: random.Random, index: int, title: str = "") -> dict:
    wsjf = DEFAULT_SCALES["wsjf"]
    values = {
        "reach": rng.choice([500, 2_000, 8_000, 20_000, 60_000]),
        "impact": rng.choice(DEFAULT_SCALES["impact"]),
        "confidence": rng.choice(DEFAULT_SCALES["confidence"]),
        "effort": rng.choice([1, 2, 3, 4, 6, 8]),
        "business_value": rng.choice(wsjf),
        "time_criticality": rng.choice(wsjf),
        "risk_reduction": rng.choice(wsjf[:5]),
        "job_size": rng.choice(wsjf[:5]),
    }
    if index % 7 == 3:  # a few still lack an estimate: shown as unscored, never given a made-up score
        values["effort"] = None
        values["job_size"] = None
    if title in NOT_SIZED:
        values["effort"] = values["job_size"] = None
    if title in NOT_VALUED:
        values.update(dict.fromkeys(VALUE_INPUTS))
    return values


def _people(org) -> dict:
    """team id -> {role: user}, and any member under "*"."""
    people: dict = {}
    for membership in Membership.objects.filter(team__in=org.teams.values()).select_related("user"):
        roles = people.setdefault(membership.team_id, {})
        roles.setdefault(membership.role, membership.user)
        roles.setdefault("*", membership.user)
    return people


def _actor(people, team, status: str):
    roles = people.get(team.pk, {})
    if status in (S.TRIAGED, S.ACCEPTED, S.REJECTED, S.SELF_SERVICE, S.RETIRED):
        return roles.get(MemberRole.PRODUCT_MANAGER) or roles.get(MemberRole.LEAD) or roles.get("*")
    return roles.get("*")


def load(org) -> None:
    from apps.registry.models import RegisteredModel

    rng = random.Random(20260101)
    now = timezone.now()
    models = {m.slug: m for m in RegisteredModel.objects.filter(slug__in={r[7] for r in REQUESTS if r[7]})}
    people = _people(org)
    requests, histories = [], []
    for index, (title, requester, deliverer, kpi, change, volume, final, slug) in enumerate(REQUESTS):
        requesting = org.teams[requester]
        delivering = org.teams[deliverer] if deliverer else requesting
        path = path_to(final, self_service=deliverer is SELF)
        times = _timestamps(rng, path, now)
        requests.append(
            ModelRequest(
                title=title,
                problem_statement=f"{requesting.name} wants to move {kpi.lower()}: today this is decided by "
                "hand or by a fixed rule, which misses changes in customer behaviour.",
                requesting_team=requesting,
                delivering_team=delivering,
                value_stream=requesting.value_stream,
                kpi=kpi,
                expected_change=change,
                affected_volume=volume,
                decision_deadline=(now + datetime.timedelta(days=rng.randint(20, 120))).date()
                if final in (S.SUBMITTED, S.TRIAGED, S.ACCEPTED)
                else None,
                data_available="Two years of events in the warehouse (data-platform), daily snapshots.",
                label_availability=rng.choice(LabelAvailability.values[:3]),
                simplest_alternative=f"A rule on the top two signals for {kpi.lower()}, tuned monthly.",
                alternative_effect=rng.choice(
                    ["", "The current rule moved it by about a third of the target."]
                ),
                attachments=[f"https://wiki.example.com/requests/{index + 1}-analysis"]
                if index % 3 == 0
                else [],
                status=final,
                registered_model=models.get(slug) if slug else None,
                created_by=people.get(requesting.pk, {}).get("*"),
                submitted_at=times[0],
                started_at=times[path.index(S.IN_PROGRESS)] if S.IN_PROGRESS in path else None,
                delivered_at=times[path.index(S.DELIVERED)] if S.DELIVERED in path else None,
                **_scores(rng, index, title),
            )
        )
        histories.append((path, times, requesting, delivering))
    created = ModelRequest.objects.bulk_create(requests)
    transitions, comments = [], []
    for request, (path, times, requesting, delivering) in zip(created, histories, strict=True):
        previous = ""
        for status, at in zip(path, times, strict=True):
            side = requesting if status in REQUESTING_SIDE or status == S.SUBMITTED else delivering
            transitions.append(
                RequestTransition(
                    request=request,
                    from_status=previous,
                    to_status=status,
                    actor=_actor(people, side, status),
                    at=at,
                )
            )
            previous = status
        if request.status == S.REJECTED:
            comments.append(
                RequestComment(
                    request=request,
                    author=_actor(people, delivering, S.REJECTED),
                    body="The simple rule already gets most of the effect; not worth a model now.",
                    created_at=times[-1],
                )
            )
    RequestTransition.objects.bulk_create(transitions)
    RequestComment.objects.bulk_create(comments)
    Board.objects.get_or_create(
        team=org.teams["ml-platform"], defaults={"scoring_method": ScoringMethod.RICE}
    )
    Board.objects.get_or_create(
        team=org.teams["forecasting-science"],
        defaults={"scoring_method": ScoringMethod.WSJF, "column_wip_limits": {"accepted": 2}},
    )
