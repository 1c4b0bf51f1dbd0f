"""The shipped gunicorn configuration, served for real: chunked uploads get a 413 past the limit and
are read whole below it, connections are kept alive, and a 200 MB upload completes."""

import json
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

from apps.training.models import DatasetVersion
from tests.factories import api_token
from tests.servers import multipart
from tests.worker import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def stored(root: Path) -> list[Path]:
    return sorted(p for p in (root / "datasets").rglob("*") if p.is_file()) if root.exists() else []


def post_upload(server, token, chunks, *, chunked: bool, name="big"):
    fields = {"team": token.team_slug, "name": name}
    body, content_type, length = multipart(fields, "file", f"{name}.csv", chunks)
    connection = server.connection()
    headers = {"Authorization": f"Token {token.key}", "Content-Type": content_type}
    if not chunked:
        headers["Content-Length"] = str(length)
    connection.request("POST", "/api/v1/datasets/", body=body, headers=headers, encode_chunked=chunked)
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"{}")


@pytest.fixture
def token(team, team_engineer):
    return SimpleNamespace(key=api_token(team_engineer), team_slug=team.slug)


def test_the_shipped_configuration_uses_threads_keep_alive_and_recycling():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread" and config["threads"] > 1
    assert config["keepalive"] > 0 and config["timeout"] >= 120
    assert config["max_requests"] > 0 and config["max_requests_jitter"] > 0
    assert "gunicorn.conf.py" in (ROOT / "Dockerfile").read_text()
    assert "gunicorn --config gunicorn.conf.py" in (ROOT / "docker-compose.yml").read_text()


def test_chunked_uploads_are_read_whole_and_refused_with_a_413_past_the_limit(
    gunicorn_factory, token, tmp_path
):
    storage = tmp_path / "platform"
    server = gunicorn_factory(
        extra_env={"PORTAL_MAX_UPLOAD_BYTES": str(1024 * 1024), "PORTAL_PLATFORM_STORAGE": str(storage)}
    )
    status, body = post_upload(server, token, [b"a,b\n", b"1,x\n", b"2,y\n"], chunked=True, name="small")
    assert status == 202, body
    assert body["status"] == "processing" and body["size_bytes"] == 12 and body["column_count"] == 2
    assert len(stored(storage)) == 1
    row = b"1," + b"x" * 1000 + b"\n"
    status, body = post_upload(server, token, [b"a,b\n", *[row] * 2000], chunked=True)  # 2 MB
    assert status == 413 and body == {"detail": "The upload is larger than the limit of 1 MB."}
    assert DatasetVersion.objects.count() == 1 and len(stored(storage)) == 1


def test_connections_are_kept_alive(gunicorn_factory, token):
    server = gunicorn_factory()
    connection = server.connection()
    sockets = []
    for _ in range(3):
        connection.request("GET", "/api/v1/datasets/", headers={"Authorization": f"Token {token.key}"})
        response = connection.getresponse()
        assert response.status == 200
        response.read()
        sockets.append(connection.sock)
    assert sockets[0] is not None and all(sock is sockets[0] for sock in sockets)


def test_a_200_mb_upload_completes(gunicorn_factory, token, tmp_path):
    storage = tmp_path / "platform"
    server = gunicorn_factory(extra_env={"PORTAL_PLATFORM_STORAGE": str(storage)})
    row = b"0.123456789,abcdefghij,42\n"
    rows = (200 * 1024 * 1024 - 1024) // len(row)
    header = b"x,label,n\n"
    block = row * 40_000
    blocks, rest = divmod(rows, 40_000)
    chunks = [header, *[block] * blocks, row * rest]
    size = sum(len(chunk) for chunk in chunks)
    status, body = post_upload(server, token, chunks, chunked=False)
    assert status == 202, body
    assert body["size_bytes"] == size and body["status"] == "processing"
    assert [p.stat().st_size for p in stored(storage)] == [size]
