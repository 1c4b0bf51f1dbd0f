"""The pages the layout, accessibility and dark-theme browser tests visit, on the full demo."""

# Every page the top navigation links to, and the tabs those pages link to.
NAV_PAGES = [
    "/",
    "/teams/",
    "/teams/topology/",
    "/teams/streams/",
    "/requests/",
    "/requests/backlog/",
    "/requests/board/",
    "/requests/roadmap/",
    "/requests/flow/",
    "/requests/stream/",
    "/requests/views/",
    "/models/",
    "/models/feedback/",
    "/training/",
    "/training/jobs/",
    "/outcomes/",
    "/outcomes/kpis/",
    "/outcomes/observations/",
    "/practices/",
    "/practices/engagements/",
    "/practices/survey/",
    "/practices/delivery/",
    "/practices/self-assessments/",
    "/practices/rubric/",
    "/webhooks/",
    "/notifications/",
    "/account/",
    "/account/tokens/",
]

# The staff menu's pages (platform staff only; everyone else is refused them).
STAFF_PAGES = ["/audit/", "/account/users/"]

# The demo logins of four roles: platform staff, a stream's product manager, a team lead, an engineer.
ROLES = ["platform", "pm", "lead", "engineer"]


def pages_of(role: str) -> list[str]:
    """The navigation's pages the role sees, then the main detail pages."""
    return NAV_PAGES + (STAFF_PAGES if role == "platform" else []) + detail_pages()


def detail_pages() -> list[str]:
    """The main detail pages, with ids read from the demo."""
    from apps.modelrequests.models import ModelRequest
    from apps.practices.models import Engagement
    from apps.training.models import DatasetVersion, TrainingJob

    return [
        "/teams/fraud-signals/",
        "/teams/streams/checkout/",
        "/models/fraud-scorer/",
        "/models/fraud-scorer/compare/",
        ModelRequest.objects.order_by("pk").first().get_absolute_url(),
        TrainingJob.objects.order_by("pk").first().get_absolute_url(),
        DatasetVersion.objects.order_by("pk").first().get_absolute_url(),
        "/outcomes/streams/supply/",
        "/outcomes/models/fraud-scorer/",
        "/practices/teams/fraud-signals/",
        "/practices/models/fraud-scorer/",
        Engagement.objects.order_by("pk").first().get_absolute_url(),
    ]


def sign_in(page, login: str):
    from apps.teams.demo import DEMO_PASSWORD

    page.goto("/login/")
    page.fill("#id_username", login)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def open_page(page, path: str):
    response = page.goto(path)
    assert response.status == 200, f"{path}: {response.status}"
    page.wait_for_load_state("load")
    # charts draw after load; wait until every chart holder has its figure (and its downloads)
    page.wait_for_function(
        "[...document.querySelectorAll('[data-chart]')].every(el => el.hasAttribute('data-chart-drawn'))",
        timeout=15000,
    )


def name_of(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"
