from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "apps.practices"
    verbose_name = "Engineering practices"
    demo = "apps.practices.demo.load"  # run once by load_demo (apps.core.demo)

    def ready(self):
        from apps.core.display import register_labels
        from apps.practices import checks, rubric

        # the checks by their titles and the categories by their names (apps/core/display.py)
        register_labels({code: check.title for code, check in checks.CHECKS.items()})
        register_labels(rubric.CATEGORY_NAMES)
