import pytest

pytestmark = pytest.mark.django_db


def test_without_sso_the_login_page_has_no_sso_button_and_the_views_are_404(client):
    page = client.get("/login/").content.decode()
    assert "single sign-on" not in page.lower()
    assert client.get("/sso/start/").status_code == 404
    assert client.get("/sso/callback/?code=x&state=y").status_code == 404


def test_with_sso_the_login_page_offers_it_beside_the_local_form(client, sso_settings):
    sso_settings.SSO_BUTTON_LABEL = "Sign in with Company SSO"
    page = client.get("/login/?next=/teams/").content.decode()
    assert 'href="/sso/start/?next=/teams/"' in page
    assert "Sign in with Company SSO" in page
    assert 'id="id_password"' in page


def test_unreachable_provider_returns_to_the_login_page_with_a_message(client, sso_settings):
    sso_settings.SSO_ISSUER = "http://127.0.0.1:9"  # nothing listens on the discard port
    response = client.get("/sso/start/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert (
        "Single sign-on did not complete: the identity provider cannot be reached."
        in response.content.decode()
    )


def test_callback_with_an_unknown_state_returns_to_the_login_page(client, sso_settings):
    session = client.session
    session["oidc_states"] = {"known": {"nonce": "n", "code_verifier": "v", "added_on": 0}}
    session.save()
    response = client.get("/sso/callback/?code=abc&state=forged", follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert "Single sign-on did not complete" in response.content.decode()


def test_provider_error_is_named_on_the_login_page(client, sso_settings):
    response = client.get("/sso/callback/?error=access_denied&state=s", follow=True)
    assert "the identity provider answered &#x27;access_denied&#x27;" in response.content.decode()
