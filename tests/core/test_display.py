"""The one place keys become labels and numbers and dates become text (apps/core/display.py)."""

import datetime as dt

import pytest
from django.template import Context, Template

from apps.core import display


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (60000.0, "60,000"),
        (22500.0, "22,500"),
        (0.013736093939344, "0.01374"),
        (67.42286099472423, "67.42"),
        (0.84920, "0.8492"),
        (13.500106, "13.5"),
        (0.00081, "0.00081"),
        (0, "0"),
        (None, "—"),
        (float("nan"), "—"),
        ("", "—"),
    ],
)
def test_numbers_have_four_significant_digits_and_no_trailing_zeros(value, shown):
    assert display.number(value) == shown


def test_counts_rates_money_differences_and_p_values():
    assert display.count(1234567.0) == "1,234,567"
    assert display.count(2.5) == "2.5"
    assert display.percent(0.1234) == "12.3%"
    assert display.percent(0.5, 0) == "50%"
    assert display.money(12400.0, "€") == "€\u202f12,400"
    assert display.money(12.5, "EUR") == "12.50 EUR"
    assert display.signed(0.02131) == "+0.02131"
    assert display.signed(-0.004) == "-0.004"
    assert display.pvalue(0.0213) == "0.021"
    assert display.pvalue(0.0000213) == "2.1 × 10⁻⁵"


def test_keys_read_as_their_catalogue_labels_or_as_words():
    assert display.label("logistic_regression") == "Logistic regression"  # the estimator catalogue
    assert display.label("roc_auc") == "ROC AUC"  # the metric names
    assert display.label("card_complete") == "Model card complete"  # the gates
    assert display.label("self_service") != "self_service"  # a request status
    assert display.label("owner_and_oncall") == "Has an owner and an on-call contact"  # a check
    assert display.label("cv_roc_auc_std") == "CV ROC AUC std"
    assert display.label("days_since") == "Days since"


def test_values_of_unknown_kind():
    assert display.value(0.631579) == "0.6316"
    assert display.value("tier_1") == "Tier 1 (business critical)"  # the support tier
    assert display.value("2027-06-21") == "21 Jun 2027"
    assert display.value("https://git.example.com/a_b") == "https://git.example.com/a_b"
    assert display.value(True) == "yes"


def test_one_date_format_with_the_exact_moment_as_the_tooltip(settings):
    moment = dt.datetime(2026, 12, 3, 8, 40, 12, tzinfo=dt.UTC)
    template = Template('{% load display %}{{ m|when }} | {{ m|when:"day" }} | {{ d|when }} | {{ n|when }}')
    html = template.render(Context({"m": moment, "d": dt.date(2025, 7, 20), "n": None}))
    assert html == (
        '<time datetime="2026-12-03T08:40:12+00:00" title="2026-12-03 08:40:12 UTC">3 Dec 2026, 08:40</time>'
        ' | <time datetime="2026-12-03T08:40:12+00:00" title="2026-12-03 08:40:12 UTC">3 Dec 2026</time>'
        ' | <time datetime="2025-07-20" title="2025-07-20">20 Jul 2025</time> | —'
    )


def test_secondary_metrics_fold_the_cv_spread():
    html = Template(
        "{% load display %}{% secondary_metrics m 'roc_auc' as o %}"
        "{% for k, v in o.main %}{{ k|label }}={{ v|number }};{% endfor %}|{{ o.more|length }}"
    ).render(Context({"m": {"roc_auc": 0.9, "f1": 0.812345, "cv_f1": 0.8, "cv_f1_std": 0.01}}))
    assert html == "F1=0.8123;|2"


def test_a_name_with_capitals_stays_as_it_is():
    assert display.label("HistGradientBoostingClassifier") == "HistGradientBoostingClassifier"
