"""The full authorization code flow with PKCE over real HTTP: an HTTP client follows every redirect
between the live portal and the tests' identity provider (tests/sso/provider/), signs in on the
provider's login form and lands in the portal signed in. Spoiled ID tokens (and userinfo answers)
from the same provider are refused with a message naming the check, and nobody is signed in or
created."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from apps.sso.models import IdentityLink
from apps.teams.models import MemberRole, Membership, MembershipSource
from tests.csp import csp_directives
from tests.sso.conftest import PROVIDER_LABEL
from tests.sso.idp import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def http():
    """A real HTTP client that keeps cookies and follows redirects, as a browser without scripts."""
    with httpx.Client(follow_redirects=True, timeout=30) as client:
        yield client


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} field in the page"
    return html.unescape(found.group(1))


def sign_in(client: httpx.Client, portal_url: str, username: str, next_path: str = "") -> httpx.Response:
    """Click "Sign in with ..." on the portal's login page and sign in on the provider's login form."""
    login = client.get(f"{portal_url}/login/" + (f"?next={next_path}" if next_path else ""))
    assert PROVIDER_LABEL in login.text
    start = re.search(r'href="(/sso/start/[^"]*)"', login.text).group(1)
    provider_login = client.get(portal_url + html.unescape(start))
    assert "Test identity provider" in provider_login.text, provider_login.url
    landed = client.post(
        str(provider_login.url),
        data={
            "csrfmiddlewaretoken": field(provider_login.text, "csrfmiddlewaretoken"),
            "username": username,
            "password": PASSWORD,
            "next": field(provider_login.text, "next"),
        },
    )
    return landed


def visited(response: httpx.Response) -> list[httpx.URL]:
    return [step.url for step in response.history] + [response.url]


def test_code_flow_with_pkce_signs_in_with_mapped_memberships(provider_sso, live_server, ml_platform, http):
    subject = provider_sso.person(
        "carol", groups=["ml-platform-leads", "portal-admins"], given_name="Carol", family_name="Chen"
    )

    landed = sign_in(http, live_server.url, "carol", next_path="/teams/")

    assert landed.status_code == 200
    assert str(landed.url) == f"{live_server.url}/teams/"
    assert "Carol Chen" in landed.text
    urls = visited(landed)
    authorize = next(url for url in urls if url.path == "/o/authorize/")
    query = parse_qs(urlsplit(str(authorize)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256 digest
    assert query["redirect_uri"] == [f"{live_server.url}/sso/callback/"]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile", "groups"}
    callback = next(url for url in urls if url.path == "/sso/callback/")
    assert set(parse_qs(callback.query.decode())) == {"code", "state"}

    link = IdentityLink.objects.select_related("user").get(subject=subject)
    assert link.issuer == provider_sso.issuer
    assert link.groups == ["ml-platform-leads", "portal-admins"]
    assert link.user.is_staff
    assert link.user.get_full_name() == "Carol Chen"
    membership = Membership.objects.get(user=link.user)
    assert (membership.team, membership.role, membership.source) == (
        ml_platform,
        MemberRole.LEAD,
        MembershipSource.IDP,
    )
    # The session is a real portal session: the API answers as Carol.
    assert http.get(f"{live_server.url}/api/v1/teams/").status_code == 200


def test_an_intercepted_code_is_useless_without_the_portals_pkce_verifier(
    provider_sso, live_server, settings, http
):
    """The code comes back through the browser; only the portal, which keeps the PKCE verifier in the
    session, can exchange it. Without the verifier (or with a guessed one) the provider refuses."""
    provider_sso.person("dave", groups=[])
    provider_login = http.get(f"{live_server.url}/sso/start/")
    answer = http.post(
        str(provider_login.url),
        data={
            "csrfmiddlewaretoken": field(provider_login.text, "csrfmiddlewaretoken"),
            "username": "dave",
            "password": PASSWORD,
            "next": field(provider_login.text, "next"),
        },
        follow_redirects=False,
    )
    while not (location := str(answer.url.join(answer.headers["location"]))).startswith(live_server.url):
        answer = http.get(location, follow_redirects=False)  # through the provider, not to the portal
    code = parse_qs(urlsplit(location).query)["code"][0]
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": f"{live_server.url}/sso/callback/",
        "client_id": settings.SSO_CLIENT_ID,
        "client_secret": settings.SSO_CLIENT_SECRET,
    }

    without = httpx.post(f"{provider_sso.issuer}/token/", data=exchange)
    guessed = httpx.post(f"{provider_sso.issuer}/token/", data=exchange | {"code_verifier": "x" * 64})

    assert (without.status_code, without.json()["error"]) == (400, "invalid_request")
    assert (guessed.status_code, guessed.json()["error"]) == (400, "invalid_grant")
    assert not IdentityLink.objects.exists()
    # The same code with the verifier the portal kept: signed in.
    landed = http.get(location)
    assert landed.url == f"{live_server.url}/"
    assert IdentityLink.objects.get().user.username == "dave"


SPOILED_IDS = ["other-key", "audience", "issuer", "expired", "userinfo-subject"]
SPOILED = [
    ({"foreign_key": True}, "the ID token's signature does not match the identity provider's keys."),
    ({"audience": "another-app"}, "the ID token was issued for another client."),
    ({"issuer": "http://127.0.0.1:1/o"}, "the ID token was issued by another provider."),
    ({"expires_in": -60}, "the ID token has expired; check that the server clocks agree."),
    ({"userinfo_subject": "999"}, "the provider's user information is not about the person in the ID token."),
]


@pytest.mark.parametrize(("misbehaviour", "message"), SPOILED, ids=SPOILED_IDS)
def test_a_spoiled_id_token_is_refused_with_the_reason(
    provider_sso, live_server, ml_platform, http, misbehaviour, message
):
    provider_sso.person("eve", groups=["ml-platform-leads", "portal-admins"])
    provider_sso.misbehave(**misbehaviour)

    landed = sign_in(http, live_server.url, "eve")

    assert landed.url.path == "/login/"
    assert html.escape(f"Single sign-on did not complete: {message}") in landed.text
    assert not IdentityLink.objects.exists()
    assert not Membership.objects.exists()
    # Not signed in: a portal page sends the client back to the login page.
    assert http.get(f"{live_server.url}/teams/").url.path == "/login/"


def test_a_user_deactivated_in_the_portal_is_refused_and_keeps_their_memberships(
    provider_sso, live_server, ml_platform, checkout, http
):
    subject = provider_sso.person("frank", groups=["ml-platform-leads"])
    assert sign_in(http, live_server.url, "frank").url == f"{live_server.url}/"
    link = IdentityLink.objects.select_related("user").get(subject=subject)
    link.user.is_active = False
    link.user.save(update_fields=["is_active"])
    http.cookies.clear()
    provider_sso.person("frank", groups=["checkout-data", "portal-admins"])

    landed = sign_in(http, live_server.url, "frank")

    assert landed.url.path == "/login/"
    assert "Single sign-on did not complete: your portal account is deactivated." in landed.text
    link.user.refresh_from_db()
    assert (link.user.is_active, link.user.is_staff) == (False, False)
    rows = Membership.objects.filter(user=link.user).values_list("team__slug", "role", "source")
    assert list(rows) == [("ml-platform", MemberRole.LEAD, MembershipSource.IDP)]
    assert http.get(f"{live_server.url}/teams/").url.path == "/login/"


def sign_out(client: httpx.Client, portal_url: str) -> httpx.Response:
    page = client.get(f"{portal_url}/teams/")
    return client.post(
        f"{portal_url}/logout/", data={"csrfmiddlewaretoken": field(page.text, "csrfmiddlewaretoken")}
    )


def test_signing_out_after_sso_also_ends_the_session_at_the_provider(
    provider_sso, live_server, ml_platform, http
):
    provider_sso.person("gina", groups=["ml-platform-leads"])
    assert sign_in(http, live_server.url, "gina").url == f"{live_server.url}/"
    # Signed in at the provider too: a second "Sign in with ..." goes through without its login form.
    again = http.get(f"{live_server.url}/sso/start/")
    assert again.url == f"{live_server.url}/"
    # The browser may follow the sign-out form's redirect to the provider: its origin is a form-action.
    form_action = csp_directives(again.headers["content-security-policy"])["form-action"]
    assert form_action == ["'self'", provider_sso.url]

    left = sign_out(http, live_server.url)

    assert str(left.url) == f"{live_server.url}/login/"
    end_session = next(url for url in visited(left) if url.path == "/o/logout/")
    query = parse_qs(urlsplit(str(end_session)).query)
    assert query["post_logout_redirect_uri"] == [f"{live_server.url}/login/"]
    assert query["client_id"] == ["portal"]
    assert query["id_token_hint"][0].count(".") == 2  # the ID token the portal got at sign-in
    assert http.get(f"{live_server.url}/teams/").url.path == "/login/"
    # The provider asks for the password again: its session ended as well.
    provider_login = http.get(f"{live_server.url}/sso/start/")
    assert "Test identity provider" in provider_login.text
    assert provider_login.url.path == "/login/" and provider_login.url.port == urlsplit(provider_sso.url).port


def test_signing_out_of_a_local_account_stays_in_the_portal(
    provider_sso, live_server, http, django_user_model
):
    django_user_model.objects.create_user("local-lou", password=PASSWORD)
    login = http.get(f"{live_server.url}/login/")
    http.post(
        f"{live_server.url}/login/",
        data={
            "csrfmiddlewaretoken": field(login.text, "csrfmiddlewaretoken"),
            "username": "local-lou",
            "password": PASSWORD,
        },
    )
    teams = http.get(f"{live_server.url}/teams/")
    assert teams.url.path == "/teams/"
    assert csp_directives(teams.headers["content-security-policy"])["form-action"] == ["'self'"]

    left = sign_out(http, live_server.url)

    assert [str(url) for url in visited(left)] == [f"{live_server.url}/logout/", f"{live_server.url}/login/"]
    assert http.get(f"{live_server.url}/teams/").url.path == "/login/"
