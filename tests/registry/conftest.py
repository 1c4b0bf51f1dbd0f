import pytest

from apps.registry.artefacts import pipeline_cache


@pytest.fixture(autouse=True)
def platform_storage(settings, tmp_path):
    """Each test stores artefacts in its own platform storage and starts with a cold model cache."""
    settings.PLATFORM_STORAGE_ROOT = tmp_path / "platform"
    pipeline_cache.clear()
    yield settings.PLATFORM_STORAGE_ROOT
    pipeline_cache.clear()
