"""The demo organisation: a believable retailer, 4 value streams, 13 teams of every type, people in
every role, and current, planned and overdue interactions."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from apps.teams.models import (
    Interaction,
    InteractionMode,
    MemberRole,
    Membership,
    Team,
    TeamType,
    ValueStream,
)

DEMO_PASSWORD = "portal-demo"
SERVICE_SLE = "Answer requests within 2 working days; incidents within 1 hour."

# login, first name, last name, is platform staff
DEMO_LOGINS = [
    ("admin", "Ada", "Admin", True, "superuser: everything, including the admin console"),
    ("platform", "Priya", "Raman", True, "platform staff (ML Platform lead): changes anything"),
    (
        "pm",
        "Paula",
        "Martins",
        False,
        "product manager of Checkout Experience, accountable for Checkout: files requests, sets "
        "their value (reach, impact, confidence; business value, time criticality, risk reduction)",
    ),
    (
        "noah",
        "Noah",
        "Fischer",
        False,
        "product manager of ML Platform, a delivering team: triages, sizes (effort, job size) and "
        "ranks its backlog, trains for accepted requests",
    ),
    ("lead", "Leo", "Nakamura", False, "lead of Fraud Signals"),
    ("engineer", "Erik", "Svensson", False, "engineer in Checkout Experience"),
    ("scientist", "Dana", "Okafor", False, "data scientist in Forecasting Science"),
    ("mlengineer", "Mateo", "Rossi", False, "ML engineer in ML Platform"),
]

OTHER_PEOPLE = [
    ("hana", "Hana", "Kim"),
    ("omar", "Omar", "Haddad"),
    ("lucia", "Lucia", "Ferrari"),
    ("sam", "Sam", "Taylor"),
    ("ines", "Inês", "Costa"),
    ("jonas", "Jonas", "Weber"),
    ("aisha", "Aisha", "Bello"),
    ("tom", "Tom", "Brennan"),
    ("mei", "Mei", "Chen"),
    ("raj", "Raj", "Patel"),
    ("sofia", "Sofia", "Lindqvist"),
    ("kofi", "Kofi", "Mensah"),
    ("nina", "Nina", "Petrova"),
    ("ben", "Ben", "Walker"),
    ("yara", "Yara", "Haddad"),
    ("felix", "Felix", "Braun"),
    ("zoe", "Zoë", "Dubois"),
    ("ali", "Ali", "Demir"),
    ("maya", "Maya", "Singh"),
    ("ella", "Ella", "Murphy"),
    ("ivan", "Ivan", "Horvat"),
    ("lena", "Lena", "Vogel"),
    ("arjun", "Arjun", "Rao"),
]

STREAMS = [
    ("Checkout", "checkout", "Basket to paid order: conversion, payment success, average order value.", "pm"),
    (
        "Fraud & Risk",
        "fraud",
        "Keep fraud losses and false declines down without hurting good customers.",
        "lead",
    ),
    (
        "Supply Chain",
        "supply",
        "Right stock in the right place: forecast accuracy, availability, waste.",
        "sofia",
    ),
    ("Customer Growth", "growth", "Acquisition, retention and personalisation across channels.", "maya"),
]

# name, slug, type, stream slug, focus, services offered, capacity, wip limit
TEAMS = [
    (
        "Checkout Experience",
        "checkout-experience",
        TeamType.STREAM_ALIGNED,
        "checkout",
        "Make paying fast and safe: basket, checkout flow, delivery options, upsell.",
        "",
        12,
        3,
    ),
    (
        "Payments",
        "payments",
        TeamType.STREAM_ALIGNED,
        "checkout",
        "Payment methods, authorisation success and retries.",
        "",
        10,
        3,
    ),
    (
        "Fraud Signals",
        "fraud-signals",
        TeamType.STREAM_ALIGNED,
        "fraud",
        "Score every order for fraud in real time and keep false declines low.",
        "",
        10,
        2,
    ),
    (
        "Risk Operations",
        "risk-operations",
        TeamType.STREAM_ALIGNED,
        "fraud",
        "Manual review tooling, chargebacks and dispute handling.",
        "",
        8,
        2,
    ),
    (
        "Demand Planning",
        "demand-planning",
        TeamType.STREAM_ALIGNED,
        "supply",
        "Forecast demand per store and day so replenishment orders the right stock.",
        "",
        10,
        3,
    ),
    (
        "Fulfilment",
        "fulfilment",
        TeamType.STREAM_ALIGNED,
        "supply",
        "Pick, pack and deliver: slotting, routing and delivery promises.",
        "",
        12,
        3,
    ),
    (
        "Personalisation",
        "personalisation",
        TeamType.STREAM_ALIGNED,
        "growth",
        "Recommendations, ranking and messages tailored to each customer.",
        "",
        12,
        4,
    ),
    (
        "Lifecycle Marketing",
        "lifecycle-marketing",
        TeamType.STREAM_ALIGNED,
        "growth",
        "Win-back, churn prevention and loyalty campaigns.",
        "",
        8,
        2,
    ),
    (
        "ML Platform",
        "ml-platform",
        TeamType.PLATFORM,
        None,
        "Self-service data preparation, training, registry and prediction for every team.",
        "Training jobs, model registry, prediction API, feature pipelines",
        16,
        5,
    ),
    (
        "Data Platform",
        "data-platform",
        TeamType.PLATFORM,
        None,
        "Reliable, documented data products and the warehouse.",
        "Warehouse, event streaming, data contracts",
        14,
        4,
    ),
    (
        "MLOps Enablement",
        "mlops-enablement",
        TeamType.ENABLING,
        None,
        "Help teams adopt version control, CI, testing and monitoring for ML, then step back.",
        "Coaching, pairing, practice reviews",
        6,
        2,
    ),
    (
        "Forecasting Science",
        "forecasting-science",
        TeamType.COMPLICATED_SUBSYSTEM,
        None,
        "Specialist hierarchical forecasting models that need deep statistics expertise.",
        "Hierarchical demand forecasts",
        8,
        2,
    ),
    (
        "Search Ranking Science",
        "search-ranking",
        TeamType.COMPLICATED_SUBSYSTEM,
        None,
        "Learning-to-rank models for product search.",
        "Search ranking model",
        8,
        2,
    ),
    (
        "New Ventures",
        "new-ventures",
        TeamType.UNDEFINED,
        None,
        "A team being formed around marketplace experiments; its shape is not decided yet.",
        "",
        5,
        2,
    ),
]

# login, team slug, role
MEMBERSHIPS = [
    ("pm", "checkout-experience", MemberRole.PRODUCT_MANAGER),
    ("engineer", "checkout-experience", MemberRole.ENGINEER),
    ("hana", "checkout-experience", MemberRole.LEAD),
    ("omar", "checkout-experience", MemberRole.DATA_SCIENTIST),
    ("lucia", "payments", MemberRole.LEAD),
    ("sam", "payments", MemberRole.PRODUCT_MANAGER),
    ("ines", "payments", MemberRole.ENGINEER),
    ("lead", "fraud-signals", MemberRole.LEAD),
    ("jonas", "fraud-signals", MemberRole.PRODUCT_MANAGER),
    ("aisha", "fraud-signals", MemberRole.DATA_SCIENTIST),
    ("tom", "fraud-signals", MemberRole.ML_ENGINEER),
    ("mei", "risk-operations", MemberRole.LEAD),
    ("raj", "risk-operations", MemberRole.ENGINEER),
    ("sofia", "demand-planning", MemberRole.PRODUCT_MANAGER),
    ("kofi", "demand-planning", MemberRole.LEAD),
    ("nina", "demand-planning", MemberRole.DATA_SCIENTIST),
    ("ben", "fulfilment", MemberRole.LEAD),
    ("yara", "fulfilment", MemberRole.ENGINEER),
    ("maya", "personalisation", MemberRole.PRODUCT_MANAGER),
    ("felix", "personalisation", MemberRole.LEAD),
    ("zoe", "personalisation", MemberRole.ML_ENGINEER),
    ("ali", "lifecycle-marketing", MemberRole.LEAD),
    ("maya", "lifecycle-marketing", MemberRole.PRODUCT_MANAGER),
    ("platform", "ml-platform", MemberRole.LEAD),
    ("mlengineer", "ml-platform", MemberRole.ML_ENGINEER),
    ("noah", "ml-platform", MemberRole.PRODUCT_MANAGER),
    ("ella", "ml-platform", MemberRole.ENGINEER),
    ("ivan", "data-platform", MemberRole.LEAD),
    ("lena", "data-platform", MemberRole.ENGINEER),
    ("arjun", "mlops-enablement", MemberRole.LEAD),
    ("ella", "mlops-enablement", MemberRole.ENGINEER),
    ("scientist", "forecasting-science", MemberRole.DATA_SCIENTIST),
    ("nina", "forecasting-science", MemberRole.LEAD),
    ("noah", "forecasting-science", MemberRole.PRODUCT_MANAGER),
    ("omar", "search-ranking", MemberRole.LEAD),
    ("mei", "search-ranking", MemberRole.DATA_SCIENTIST),
    ("raj", "new-ventures", MemberRole.LEAD),
]

# from, to, mode, purpose, start offset (days from today), expected end offset or None
INTERACTIONS = [
    (
        "checkout-experience",
        "ml-platform",
        InteractionMode.X_AS_A_SERVICE,
        "Train and serve the upsell model on the platform.",
        -200,
        None,
    ),
    (
        "fraud-signals",
        "ml-platform",
        InteractionMode.X_AS_A_SERVICE,
        "Real-time fraud scoring through the prediction API.",
        -300,
        None,
    ),
    (
        "personalisation",
        "ml-platform",
        InteractionMode.X_AS_A_SERVICE,
        "Recommendation training jobs.",
        -150,
        None,
    ),
    (
        "demand-planning",
        "forecasting-science",
        InteractionMode.COLLABORATION,
        "Co-develop the store-level demand forecast, then hand it over.",
        -60,
        30,
    ),
    (
        "mlops-enablement",
        "fraud-signals",
        InteractionMode.FACILITATING,
        "Introduce CI, model tests and drift monitoring.",
        -45,
        45,
    ),
    (
        "mlops-enablement",
        "demand-planning",
        InteractionMode.FACILITATING,
        "Version data and training code; reproducible retraining.",
        -120,
        -10,
    ),
    (
        "ml-platform",
        "data-platform",
        InteractionMode.COLLABORATION,
        "Build the shared feature pipeline together.",
        -90,
        -5,
    ),
    (
        "personalisation",
        "search-ranking",
        InteractionMode.X_AS_A_SERVICE,
        "Consume the search ranking model.",
        -400,
        None,
    ),
    (
        "mlops-enablement",
        "personalisation",
        InteractionMode.FACILITATING,
        "Planned: model cards and outcome tracking.",
        14,
        74,
    ),
    (
        "lifecycle-marketing",
        "ml-platform",
        InteractionMode.X_AS_A_SERVICE,
        "Planned: churn model through self-service training.",
        21,
        None,
    ),
    (
        "fulfilment",
        "data-platform",
        InteractionMode.X_AS_A_SERVICE,
        "Delivery events from the event stream.",
        -500,
        None,
    ),
    (
        "payments",
        "fraud-signals",
        InteractionMode.COLLABORATION,
        "Joint work on retry rules for declined payments.",
        -20,
        40,
    ),
    (
        "risk-operations",
        "data-platform",
        InteractionMode.X_AS_A_SERVICE,
        "Chargeback data product.",
        -250,
        None,
    ),
]


@dataclass
class DemoOrg:
    users: dict = field(default_factory=dict)
    streams: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{len(self.teams)} teams"


def _demo_row(model, *, slug: str, name: str, **fields):
    """A demo stream or team by slug, or by name when someone has changed its slug since (re-running
    `make run` must not trip over the unique name); created only when neither is there."""
    row = model.objects.filter(slug=slug).first() or model.objects.filter(name=name).first()
    return row or model.objects.create(slug=slug, name=name, **fields)


def logins() -> tuple[str, list[tuple[str, str]]]:
    """The password and the demo logins with what each shows, for `make run` to print."""
    return DEMO_PASSWORD, [(login, what) for login, _, _, _, what in DEMO_LOGINS]


def _give_demo_password(user, password_hash: str) -> None:
    user.password = password_hash
    user.save(update_fields=["password"])


def load() -> DemoOrg:
    """Create (or fetch, when already there) the demo organisation."""
    User = get_user_model()
    org = DemoOrg()
    # Hashed once: the production hasher takes ~0.3 s per call by design, and 31 demo people share one
    # password anyway.
    password_hash = make_password(DEMO_PASSWORD)
    for login, first, last, staff, _ in DEMO_LOGINS:
        user, created = User.objects.get_or_create(
            username=login,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{login}@example.com",
                "is_staff": staff,
                "is_superuser": login == "admin",
            },
        )
        if created:
            _give_demo_password(user, password_hash)
        org.users[login] = user
    for login, first, last in OTHER_PEOPLE:
        user, created = User.objects.get_or_create(
            username=login, defaults={"first_name": first, "last_name": last, "email": f"{login}@example.com"}
        )
        if created:
            _give_demo_password(user, password_hash)
        org.users[login] = user
    for name, slug, description, pm in STREAMS:
        org.streams[slug] = _demo_row(
            ValueStream, slug=slug, name=name, description=description, product_manager=org.users[pm]
        )
    for name, slug, team_type, stream, focus, services, capacity, wip in TEAMS:
        org.teams[slug] = _demo_row(
            Team,
            slug=slug,
            name=name,
            team_type=team_type,
            value_stream=org.streams.get(stream),
            focus=focus,
            provides_services=bool(services),
            services_offered=services,
            service_level_expectations=SERVICE_SLE if services else "",
            software_owned=f"{name} services and models (see the model registry)",
            chat_channels=f"#team-{slug}",
            ways_of_working="Kanban, weekly review with stakeholders.",
            current_work=focus.split(":")[0],
            capacity_points=capacity,
            wip_limit=wip,
        )
    for login, team, role in MEMBERSHIPS:
        Membership.objects.get_or_create(team=org.teams[team], user=org.users[login], defaults={"role": role})
    today = timezone.localdate()
    for source, target, mode, purpose, start, end in INTERACTIONS:
        Interaction.objects.get_or_create(
            from_team=org.teams[source],
            to_team=org.teams[target],
            mode=mode,
            defaults={
                "purpose": purpose,
                "start_date": today + datetime.timedelta(days=start),
                "expected_end": today + datetime.timedelta(days=end) if end is not None else None,
            },
        )
    return org
