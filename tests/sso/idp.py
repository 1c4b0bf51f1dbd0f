"""The tests' identity provider (tests/sso/provider/) as a process: started on 127.0.0.1 at a free port,
stopped with its process group, and driven through its control endpoint over real HTTP."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.servers import free_port
from tests.worker import ROOT, stop_group

PASSWORD = "provider-password"


class ProviderProcess:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.control_token = secrets.token_urlsafe(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.url}/o"
        self.process: subprocess.Popen | None = None

    def start(self) -> "ProviderProcess":
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "tests.sso.provider.settings",
            "PROVIDER_DIR": str(self.directory),
            "PROVIDER_PORT": str(self.port),
            "PROVIDER_CONTROL_TOKEN": self.control_token,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.sso.provider"], cwd=ROOT, env=env, start_new_session=True
        )
        deadline = time.monotonic() + 120  # creating its SQLite database takes ~20 s on a busy machine
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the test identity provider exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.issuer}/.well-known/openid-configuration").status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the test identity provider did not answer in time")

    def stop(self) -> None:
        stop_group(self.process)

    def _control(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        response = httpx.request(
            method,
            f"{self.url}/control/{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.control_token}"},
        )
        response.raise_for_status()
        return response

    def person(self, username: str, *, groups: list[str], **profile) -> str:
        """Create or update a person with exactly these groups; returns their subject (``sub``)."""
        body = {"password": PASSWORD, "groups": groups} | profile
        return self._control("PUT", f"people/{username}", body).json()["sub"]

    def register_client(
        self, client_id: str, client_secret: str, redirect_uri: str, post_logout_redirect_uri: str = ""
    ) -> None:
        body = {"client_secret": client_secret, "redirect_uris": [redirect_uri]}
        if post_logout_redirect_uri:
            body["post_logout_redirect_uris"] = [post_logout_redirect_uri]
        self._control("PUT", f"clients/{client_id}", body)

    def misbehave(self, **how) -> None:
        """The next ID tokens get ``audience=``, ``issuer=``, ``expires_in=`` (seconds from now) or are
        signed by another key (``foreign_key=True``); ``userinfo_subject=`` spoils the userinfo answers."""
        self._control("PUT", "id-token", how)

    def behave(self) -> None:
        self._control("DELETE", "id-token")
