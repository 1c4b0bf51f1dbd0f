"""The demo's pages as people read them: no status, estimator, metric, gate or check key, no
"key=value" scorecard string, no float with 17 decimals or "60000.0", no ISO date in the text (the exact
moment is the tooltip of a date), on every page in the navigation and the main detail pages."""

import pytest

from tests.core.people_words import form_problems, problems, visible_text
from tests.core.ui_pages import pages_of

pytestmark = pytest.mark.slow


def demo_data_names() -> set[str]:
    """Names that are the demo's data, not the portal's keys: dataset columns (feature names)."""
    from apps.registry.models import ModelVersion
    from apps.training.models import DatasetVersion

    names = set()
    for schema in DatasetVersion.objects.values_list("schema", flat=True):
        names |= {column["name"] for column in schema or [] if isinstance(column, dict)}
    for features in ModelVersion.objects.values_list("features", flat=True):
        names |= {feature for feature in features or [] if isinstance(feature, str)}
    return names


@pytest.mark.timeout(900)
def test_no_raw_key_or_unformatted_number_on_the_demo_pages(full_demo, client):
    from django.contrib.auth import get_user_model

    allowed = demo_data_names()
    found = []
    for login in ("platform", "engineer"):
        client.force_login(get_user_model().objects.get(username=login))
        for path in pages_of(login):
            response = client.get(path)
            assert response.status_code == 200, path
            html = response.content.decode()
            found += [f"{login} {path}: {line}" for line in problems(html, allowed) + form_problems(html)]
    assert found == [], "\n".join(found)


def test_the_checker_finds_each_kind_and_skips_code_and_forms():
    html = (
        "<p>Moves you may make: self_service · models=2 · 0.01373609393934457 · 60000.0 · 2026-12-03</p>"
        "<code>max_iter</code><select><option>1.0</option></select>"
        '<time datetime="2026-12-03" title="2026-12-03 08:40:12 UTC">3 Dec 2026</time><br><p>fine 0.8492</p>'
    )
    kinds = [line.split(":")[0] for line in problems(html, allowed=set())]
    assert kinds == [
        "a key",
        "a key=value string",
        "a number with 6+ significant decimals",
        "a whole number written with .0",
        "an ISO date",
    ]
    assert "max_iter" not in visible_text(html) and "fine 0.8492" in visible_text(html)
    assert problems("<p>amount_eur rose</p>", allowed={"amount_eur"}) == []


def test_the_checker_finds_raw_menu_choices_and_dates_without_a_tooltip():
    html = (
        "<select><option>?</option><option>0.5</option><option>1.0</option><option>1</option></select>"
        '<time datetime="2026-12-03">3 Dec 2026</time>'
        '<time datetime="2026-12-04" title="2026-12-04 08:40:12 UTC">4 Dec 2026</time>'
    )
    assert form_problems(html) == [
        "a menu choice with whole number written with .0: '1.0'",
        "a date without its exact moment as a tooltip: <time datetime='2026-12-03'>",
    ]
