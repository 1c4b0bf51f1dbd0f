import pytest
from click.testing import CliRunner

from apps.registry.artefacts import pipeline_cache
from apps.registry.serving import forget_serving_versions
from portal_client.cli import main


@pytest.fixture(autouse=True)
def client_config(tmp_path, monkeypatch):
    """Each test has its own client config file and cold prediction caches (artefacts stay in the
    storage the test worker reads too)."""
    monkeypatch.setenv("PORTAL_CLIENT_CONFIG", str(tmp_path / "client.json"))
    for name in ("PORTAL_URL", "PORTAL_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    pipeline_cache.clear()
    forget_serving_versions()
    return tmp_path / "client.json"


@pytest.fixture
def portal(live_server):
    """``portal(*args, token=...)`` runs the `portal` command against the live test server."""
    runner = CliRunner()

    def run(*args: str, token: str | None = None):
        options = ["--url", live_server.url, *(["--token", token] if token else [])]
        return runner.invoke(main, [*options, *args], catch_exceptions=False)

    return run
