"""Two versions of a model side by side: metrics next to their baselines, and what changed in lineage."""

from dataclasses import dataclass, field

from apps.registry.gates import metric_gain
from apps.registry.models import ModelVersion

LINEAGE_FIELDS = (
    ("dataset_name", "Dataset"),
    ("dataset_version", "Dataset version"),
    ("dataset_sha256", "Dataset sha256"),
    ("features", "Features"),
    ("input_schema", "Input schema"),
    ("estimator", "Estimator"),
    ("parameters", "Parameters"),
    ("code_version", "Code version"),
    ("split", "Split (seed, holdout share, folds)"),
    ("origin", "Origin"),
    ("artefact_format", "Artefact format"),
    ("source_repository", "Code repository"),
    ("source_commit", "Commit"),
    ("framework", "Framework"),
    ("stage", "Stage"),
)


@dataclass
class MetricRow:
    name: str
    values: list  # per version: (value, baseline, improvement)
    is_primary: bool


@dataclass
class Comparison:
    versions: list[ModelVersion]
    metrics: list[MetricRow] = field(default_factory=list)
    lineage: list[tuple[str, list, bool]] = field(default_factory=list)  # label, values, differs

    def as_dict(self) -> dict:
        return {
            "versions": [v.number for v in self.versions],
            "metrics": [
                {
                    "metric": row.name,
                    "primary": row.is_primary,
                    "values": [{"value": v, "baseline": b, "improvement": i} for v, b, i in row.values],
                }
                for row in self.metrics
            ],
            "lineage": [
                {"field": label, "values": values, "differs": differs}
                for label, values, differs in self.lineage
            ],
        }


def _improvement(metric: str, value, baseline) -> float | None:
    gain = metric_gain(metric, value, baseline)
    return None if gain is None else round(gain, 6)


def compare_versions(*versions: ModelVersion, metric: str) -> Comparison:
    names = sorted({name for v in versions for name in v.metrics}, key=lambda n: (n != metric, n))
    comparison = Comparison(versions=list(versions))
    for name in names:
        values = [
            (
                v.metrics.get(name),
                v.baseline_metrics.get(name),
                _improvement(name, v.metrics.get(name), v.baseline_metrics.get(name)),
            )
            for v in versions
        ]
        comparison.metrics.append(MetricRow(name=name, values=values, is_primary=name == metric))
    for attribute, label in LINEAGE_FIELDS:
        values = [getattr(v, attribute) for v in versions]
        comparison.lineage.append((label, values, any(value != values[0] for value in values)))
    return comparison
