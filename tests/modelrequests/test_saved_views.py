"""Saved views: a named set of filters of the request list, a backlog or the kanban, kept by its owner
and optionally shared. The service checks and normalises the filters; the page, the API and the admin
write through it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.modelrequests import services
from apps.modelrequests.models import SavedView
from tests.factories import StaffFactory, UserFactory
from tests.modelrequests.factories import ModelRequestFactory
from tests.querycount import assert_queries_independent_of_rows

pytestmark = pytest.mark.django_db


def make(owner, name="My stream", kind="kanban", query="", shared=False):
    return services.saved_view_create(
        actor=owner, data={"name": name, "kind": kind, "query": query, "shared": shared}
    )


def test_the_query_is_checked_and_normalised(cast):
    stream = cast.requesting.value_stream.slug
    view = make(cast["request_pm"], query=f"?lanes=none&status=triaged&stream=x&stream={stream}&q=")
    view.refresh_from_db()
    assert view.query == f"stream={stream}&status=triaged&lanes=none"  # the last value, in order
    assert view.get_absolute_url() == f"/requests/board/?{view.query}"
    assert view.owner == cast["request_pm"]


@pytest.mark.parametrize(
    ("kind", "query", "problem"),
    [
        ("kanban", "colour=red", "Unknown filter colour; allowed here: q, stream, requesting_team"),
        ("kanban", "lanes=sideways", "lanes must be one of stream, delivering_team, none, not 'sideways'."),
        ("list", "lanes=none", "Unknown filter lanes"),
        ("backlog", "method=moscow", "method must be one of rice, wsjf"),
        ("kanban", "status=doing", "status: Select a valid choice. doing is not one of the available"),
        ("kanban", "delivering_team=nobody", "delivering_team: Select a valid choice."),
    ],
)
def test_bad_filters_are_refused_naming_the_problem(cast, kind, query, problem):
    with pytest.raises(ValidationError) as error:
        make(cast["request_pm"], kind=kind, query=query)
    assert any(problem in message for message in error.value.message_dict["query"])
    assert not SavedView.objects.exists()


def test_a_name_is_used_once_per_page_and_owner(cast):
    make(cast["request_pm"])
    make(cast["request_pm"], kind="backlog")  # the same name on another page
    make(cast["deliver_pm"])  # someone else's
    with pytest.raises(ValidationError):
        make(cast["request_pm"])
    assert SavedView.objects.count() == 3


def test_only_the_owner_or_staff_change_or_delete_a_view(cast):
    view = make(cast["request_pm"], shared=True)
    with pytest.raises(PermissionDenied) as denied:
        services.saved_view_update(actor=cast["deliver_pm"], view=view, data={"name": "Mine now"})
    assert "Only the person who saved My stream (Kanban), or platform staff, can change or delete" in str(
        denied.value
    )
    with pytest.raises(PermissionDenied):
        services.saved_view_delete(actor=cast["deliver_pm"], view=view)
    services.saved_view_update(actor=cast["staff"], view=view, data={"name": "Renamed", "shared": False})
    view.refresh_from_db()
    assert (view.name, view.shared) == ("Renamed", False)
    services.saved_view_delete(actor=cast["request_pm"], view=view)
    assert not SavedView.objects.exists()


def test_api_lists_own_and_shared_views_and_writes_through_the_service(api_as, cast):
    mine = make(cast["request_pm"], query="status=triaged")
    shared = make(cast["deliver_pm"], name="Platform intake", shared=True)
    make(cast["deliver_pm"], name="Private")
    api = api_as(cast["request_pm"])
    listed = api.get("/api/v1/saved-views/").json()["results"]
    assert {row["name"] for row in listed} == {"My stream", "Platform intake"}
    assert {row["name"] for row in api.get("/api/v1/saved-views/?mine=true").json()["results"]} == {
        "My stream"
    }
    assert api.get("/api/v1/saved-views/?kind=list").json()["results"] == []

    created = api.post(
        "/api/v1/saved-views/",
        {"name": "Waiting for me", "kind": "backlog", "query": "method=wsjf&status=submitted"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    row = SavedView.objects.get(pk=created.json()["id"])
    assert (row.owner, row.kind, row.query) == (cast["request_pm"], "backlog", "status=submitted&method=wsjf")
    assert created.json()["url"] == "/requests/backlog/?status=submitted&method=wsjf"

    bad = api.post("/api/v1/saved-views/", {"name": "X", "query": "colour=red"}, format="json")
    assert bad.status_code == 400 and "Unknown filter colour" in bad.json()["query"][0]
    unknown = api.post("/api/v1/saved-views/", {"name": "X", "owner": "someone"}, format="json")
    assert unknown.status_code == 400

    refused = api.patch(f"/api/v1/saved-views/{shared.pk}/", {"name": "Taken"}, format="json")
    assert refused.status_code == 403 and "the person who saved" in refused.json()["detail"]
    assert api.delete(f"/api/v1/saved-views/{shared.pk}/").status_code == 403
    private = SavedView.objects.get(name="Private")
    assert api.get(f"/api/v1/saved-views/{private.pk}/").status_code == 404
    assert api.patch(f"/api/v1/saved-views/{mine.pk}/", {"shared": True}, format="json").status_code == 200
    assert SavedView.objects.get(pk=mine.pk).shared
    assert api.delete(f"/api/v1/saved-views/{mine.pk}/").status_code == 204
    assert not SavedView.objects.filter(pk=mine.pk).exists()


def test_api_needs_a_login(anon_api):
    assert anon_api.get("/api/v1/saved-views/").status_code in (401, 403)


def test_kanban_saves_its_filters_and_lists_the_view_as_a_chip(client, browser_login, cast):
    browser_login(client, cast["request_pm"])
    stream = cast.requesting.value_stream.slug
    response = client.post(
        "/requests/views/new/",
        {
            "name": "My stream",
            "kind": "kanban",
            "query": f"stream={stream}&lanes=delivering_team",
            "shared": "on",
        },
    )
    view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"] == view.get_absolute_url()
    assert (view.owner, view.shared) == (cast["request_pm"], True)
    page = client.get(view.get_absolute_url()).content.decode()
    assert 'aria-current="true">My stream <span class="muted">· shared</span>' in page
    # the filter in use is a chip whose link removes it
    assert f"Value stream: <strong>{cast.requesting.value_stream.name}</strong>" in page
    assert 'href="?lanes=delivering_team" aria-label="Remove the filter Value stream' in page
    # another user sees the shared view, named with its owner, and may not edit it
    browser_login(client, cast["deliver_engineer"])
    assert "My stream" in client.get("/requests/board/").content.decode()
    assert client.get(f"/requests/views/{view.pk}/edit/").status_code == 403


def test_a_refused_save_says_why_and_saves_nothing(client, browser_login, cast):
    browser_login(client, cast["request_pm"])
    response = client.post(
        "/requests/views/new/",
        {"name": "Bad", "kind": "kanban", "query": "colour=red", "next": "/requests/board/"},
        follow=True,
    )
    assert "View not saved: Unknown filter colour" in response.content.decode()
    assert not SavedView.objects.exists()


def test_edit_and_delete_pages(client, browser_login, cast):
    view = make(cast["request_pm"], query="status=triaged")
    browser_login(client, cast["request_pm"])
    response = client.post(
        f"/requests/views/{view.pk}/edit/",
        {"name": "Triage", "kind": "list", "query": "status=submitted", "shared": "on"},
    )
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.name, view.kind, view.query, view.shared) == ("Triage", "list", "status=submitted", True)
    client.post(f"/requests/views/{view.pk}/delete/")
    assert not SavedView.objects.exists()


def test_list_page_and_api_query_counts_do_not_grow(client, browser_login, api_as, cast):
    browser_login(client, cast["request_pm"])
    counter = iter(range(1000))

    def add_rows():
        make(cast["request_pm"], name=f"Mine {next(counter)}")
        make(UserFactory(), name=f"Shared {next(counter)}", shared=True)

    assert_queries_independent_of_rows(client, "/requests/views/", add_rows, expected=4)
    assert_queries_independent_of_rows(
        api_as(cast["request_pm"]), "/api/v1/saved-views/", add_rows, expected=3
    )
    ModelRequestFactory()
    # the cards carry their board method (no boards query); the "my stream" view looks the stream up
    assert_queries_independent_of_rows(client, "/requests/board/", add_rows, expected=12)


def test_admin_adds_edits_and_deletes_through_the_service(client, cast):
    client.force_login(StaffFactory(is_superuser=True))
    assert client.get("/admin/modelrequests/savedview/").status_code == 200
    response = client.post(
        "/admin/modelrequests/savedview/add/",
        {
            "owner": cast["request_pm"].pk,
            "name": "Intake",
            "kind": "kanban",
            "query": "status=submitted&lanes=none",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    view = SavedView.objects.get()
    assert (view.owner, view.query) == (cast["request_pm"], "status=submitted&lanes=none")
    refused = client.post(
        f"/admin/modelrequests/savedview/{view.pk}/change/",
        {"name": "Intake", "kind": "kanban", "query": "lanes=sideways"},
    )
    assert "lanes must be one of" in refused.content.decode()
    client.post(f"/admin/modelrequests/savedview/{view.pk}/delete/", {"post": "yes"})
    assert not SavedView.objects.exists()
