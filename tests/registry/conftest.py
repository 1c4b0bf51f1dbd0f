import pytest

from apps.registry.artefacts import pipeline_cache
from apps.registry.serving import forget_serving_versions


@pytest.fixture(autouse=True)
def platform_storage(settings, tmp_path):
    """Each test stores artefacts in its own platform storage and starts with cold caches."""
    settings.PLATFORM_STORAGE_ROOT = tmp_path / "platform"
    pipeline_cache.clear()
    forget_serving_versions()
    yield settings.PLATFORM_STORAGE_ROOT
    pipeline_cache.clear()
    forget_serving_versions()
