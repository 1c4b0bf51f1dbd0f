"""Model cards (Mitchell et al.): Markdown written by the team, rendered and sanitised with nh3, with
the metrics section filled in from the production version."""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

from apps.core import display
from apps.registry.gates import metric_gain
from apps.registry.models import CARD_SECTIONS, ModelVersion, RegisteredModel

ALLOWED_TAGS = {
    "p", "br", "hr", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML that cannot carry script: only the tags above, safe link schemes."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def metrics_markdown(model: RegisteredModel, version: ModelVersion | None) -> str:
    if version is None:
        return "_No version is in production yet._"
    lines = [
        f"Production version **v{version.number}** ({version.estimator or 'estimator not recorded'}), "
        f"trained on {version.dataset_name or 'an unnamed dataset'}"
        + (f" v{version.dataset_version}" if version.dataset_version else "")
        + ".",
        "",
        "| Metric | Version | Baseline | Improvement |",
        "|---|---:|---:|---:|",
    ]
    for name, value in sorted(
        version.metrics.items(), key=lambda item: (item[0] != model.primary_metric, item[0])
    ):
        baseline = version.baseline_metrics.get(name)
        gain = metric_gain(name, value, baseline)
        shown = display.label(name)
        shown = f"**{shown}** (primary)" if name == model.primary_metric else shown
        lines.append(f"| {shown} | {_fmt(value)} | {_fmt(baseline)} | {_fmt(gain, sign='+')} |")
    return "\n".join(lines)


def _fmt(value, sign: str = "") -> str:
    return f"{value:{sign}.4g}" if isinstance(value, int | float) else "—" if value is None else str(value)


def card_sections(model: RegisteredModel, production: ModelVersion | None) -> list[dict]:
    """Each card section as rendered HTML; the metrics section starts with the production metrics."""
    sections = []
    for field, label in CARD_SECTIONS:
        text = getattr(model, field)
        if field == "card_metrics":
            text = metrics_markdown(model, production) + ("\n\n" + text if text.strip() else "")
        sections.append(
            {"field": field, "label": label, "html": render_markdown(text), "empty": not text.strip()}
        )
    return sections
