"""The request form in Chromium: choosing another requesting team refills the value stream and
narrows the KPI list to that stream's KPIs (static/js/request_form.js); the filed row has them."""

import pytest

from apps.modelrequests.models import ModelRequest
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, PlatformTeamFactory, TeamFactory, ValueStreamFactory
from tests.outcomes.factories import KpiFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visible_kpis(page) -> list[str]:
    return page.eval_on_selector_all(
        "#id_kpi optgroup:not([hidden]) option", "options => options.map(o => o.value)"
    )


def test_changing_the_team_refills_the_stream_and_its_kpis(login_page, screenshot, axe):
    checkout_stream = ValueStreamFactory(name="Checkout")
    fulfilment_stream = ValueStreamFactory(name="Fulfilment")
    KpiFactory(stream=checkout_stream, name="Conversion", unit="rate")
    KpiFactory(stream=fulfilment_stream, name="On-time delivery", unit="rate")
    KpiFactory(stream=fulfilment_stream, name="Cost per parcel", unit="EUR")
    checkout = TeamFactory(name="Checkout Experience", value_stream=checkout_stream)
    fulfilment = TeamFactory(name="Fulfilment Routing", value_stream=fulfilment_stream)
    platform = PlatformTeamFactory(name="ML Platform")
    engineer = MembershipFactory(team=checkout, role=MemberRole.ENGINEER).user
    MembershipFactory(team=fulfilment, user=engineer, role=MemberRole.ENGINEER)

    page = login_page(engineer)
    page.goto("/requests/new/")
    assert page.locator("#id_requesting_team").input_value() == str(checkout.pk)
    assert page.locator("#id_value_stream").input_value() == str(checkout_stream.pk)
    assert _visible_kpis(page) == ["Conversion"]
    page.select_option("#id_kpi", "Conversion")

    page.select_option("#id_requesting_team", str(fulfilment.pk))
    assert page.locator("#id_value_stream").input_value() == str(fulfilment_stream.pk)
    assert sorted(_visible_kpis(page)) == ["Cost per parcel", "On-time delivery"]
    assert page.locator("#id_kpi").input_value() == ""  # Checkout's KPI no longer applies
    assert axe(page) == []
    screenshot(page, "requests-form-team-refills-stream-and-kpis")

    page.fill("#id_title", "Parcel ETA")
    page.fill("#id_problem_statement", "Customers ask where parcels are.")
    page.select_option("#id_delivering_team", str(platform.pk))
    page.select_option("#id_kpi", "On-time delivery")
    page.fill("#id_expected_change", "3")
    page.fill("#id_affected_volume", "5000")
    page.fill("#id_simplest_alternative", "The carrier's estimate.")
    with page.expect_navigation():
        page.click("main form button.primary[type=submit]")
    assert page.locator(".field-error, .errors").all_inner_texts() == [], page.url
    row = ModelRequest.objects.get(title="Parcel ETA")
    assert (row.requesting_team, row.value_stream, row.kpi) == (
        fulfilment,
        fulfilment_stream,
        "On-time delivery",
    )
