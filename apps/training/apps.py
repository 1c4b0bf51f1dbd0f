from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "apps.training"
    verbose_name = "Self-service training"
    demo = "apps.training.demo.load"  # run once by load_demo (apps.core.demo)

    def ready(self):
        from apps.core.display import register_labels
        from apps.training import charts, estimators, models

        # what the pages show for an estimator, metric, baseline or status key (apps/core/display.py)
        register_labels({key: spec.label for key, spec in estimators.CATALOGUE.items()})
        register_labels(charts.METRIC_NAMES)
        register_labels({key: name for key, name, _colour in charts.SERIES if key != "model"})
        register_labels(models.JobStatus)
        register_labels(models.DatasetStatus)
