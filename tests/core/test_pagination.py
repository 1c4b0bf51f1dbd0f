"""Paging: a malformed ``page`` or ``page_size`` is a 400 naming it on every API list, a page past
the end a 404 saying where the end is; the browser pages show the first (or last) page instead."""

import pytest

from tests.core.api_lists import list_views
from tests.factories import TeamFactory
from tests.modelrequests.factories import ModelRequestFactory

pytestmark = pytest.mark.django_db

API_LISTS = sorted(url for url, view in list_views().items() if view.pagination_class)  # a few are not paged
BAD_NUMBERS = ["abc", "0", "-1", "1.5", "1e3", "１", " 2x", "00"]


def test_every_api_list_is_found():
    assert {"/api/v1/teams/", "/api/v1/model-requests/", "/api/v1/training-jobs/"} <= set(API_LISTS)


@pytest.mark.parametrize("url", API_LISTS)
def test_a_malformed_page_is_a_400_naming_page_on_every_api_list(api_as, staff_user, url):
    response = api_as(staff_user).get(url, {"page": "abc"})  # staff: some lists are theirs only
    assert response.status_code == 400, response.content
    allowed = "Allowed: a whole number from 1, or “last”."
    assert response.json() == {"page": [f"“abc” is not a valid page. {allowed}"]}


@pytest.mark.parametrize("value", BAD_NUMBERS)
@pytest.mark.parametrize("param", ["page", "page_size"])
def test_non_positive_or_non_integer_numbers_are_400(api_as, outsider, param, value):
    response = api_as(outsider).get("/api/v1/teams/", {param: value})
    assert response.status_code == 400, response.content
    [message] = response.json()[param]
    assert "not a valid" in message and "whole number from 1" in message


def test_page_size_and_page_still_work_and_big_sizes_are_capped(api_as, outsider):
    TeamFactory.create_batch(3)
    client = api_as(outsider)
    body = client.get("/api/v1/teams/", {"page_size": "2", "page": "2"}).json()
    assert (body["count"], len(body["results"]), body["next"]) == (3, 1, None)
    assert len(client.get("/api/v1/teams/", {"page": "last", "page_size": "2"}).json()["results"]) == 1
    assert client.get("/api/v1/teams/", {"page_size": "100000", "page": ""}).status_code == 200
    assert len(client.get("/api/v1/teams/", {"page_size": ""}).json()["results"]) == 3


@pytest.mark.parametrize("page", ["3", "9" * 5000])
def test_a_page_past_the_end_is_a_404_naming_the_last_page(api_as, outsider, page):
    TeamFactory.create_batch(3)
    response = api_as(outsider).get("/api/v1/teams/", {"page_size": "2", "page": page})
    assert response.status_code == 404
    assert response.json()["detail"].endswith("does not exist; the last page is 2.")


def test_custom_paginated_actions_refuse_bad_pages_too(api_as, outsider):
    team = TeamFactory()
    ModelRequestFactory(delivering_team=team, reach=1, impact=1, confidence=1, effort=1)
    url = f"/api/v1/model-requests/backlog/?delivering_team={team.slug}"
    assert api_as(outsider).get(f"{url}&page=0").status_code == 400
    assert api_as(outsider).get(f"{url}&page_size=x").json() == {
        "page_size": [
            "“x” is not a valid page_size. Allowed: a whole number from 1 (a page holds at most 500)."
        ]
    }


BROWSER_LISTS = [
    "/teams/",
    "/teams/streams/",
    "/teams/interactions/",
    "/models/",
    "/models/feedback/",
    "/requests/",
    "/training/",
    "/training/jobs/",
    "/outcomes/kpis/",
    "/outcomes/observations/",
    "/practices/",
    "/practices/engagements/",
    "/practices/self-assessments/",
]


@pytest.mark.parametrize("url", BROWSER_LISTS)
@pytest.mark.parametrize("page", ["abc", "0", "-1", "9" * 5000, "1.5"])
def test_browser_list_pages_never_fail_on_a_bad_page(client, browser_login, outsider, url, page):
    response = browser_login(client, outsider).get(url, {"page": page})
    assert response.status_code == 200


def test_browser_pages_show_the_first_page_for_junk_and_the_last_past_the_end(
    client, browser_login, outsider
):
    TeamFactory.create_batch(30)  # two pages of 25
    client = browser_login(client, outsider)
    for page, number in [("abc", 1), ("0", 1), ("-1", 1), ("2", 2), ("7", 2), ("9" * 5000, 2)]:
        response = client.get("/teams/", {"page": page})
        assert response.context["page"].number == number, page
        assert f"Page {number} of 2" in response.content.decode()
