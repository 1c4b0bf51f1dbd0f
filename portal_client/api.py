"""A thin, typed wrapper over the portal's REST API (httpx): one method per thing a team automates."""

import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

import httpx

Progress = Callable[[int], None]


class PortalError(Exception):
    """The portal refused a call (4xx/5xx) or could not be reached; ``status`` is 0 for the latter."""

    def __init__(self, message: str, *, status: int = 0, body: Any = None):
        super().__init__(message)
        self.status, self.body = status, body


class Failed(PortalError):
    """A job or a dataset the client waited for ended in ``failed`` (or ``cancelled``)."""


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} {response.reason_phrase}"
    if isinstance(body, dict):
        detail = body.get("detail")
        fields = {k: v for k, v in body.items() if k not in ("detail", "code")}
        parts = [str(detail)] if detail else []
        parts += [f"{name}: {_flat(value)}" for name, value in fields.items()]
        return "; ".join(parts) or str(body)
    return _flat(body)


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_flat(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flat(v)}" for k, v in value.items())
    return str(value)


class _CountingReader:
    """A file whose reads report how many bytes went out, so an upload can show a progress bar."""

    def __init__(self, file: BinaryIO, progress: Progress | None):
        self.file, self.progress = file, progress

    def fileno(self) -> int:  # lets httpx send a Content-Length instead of a chunked body
        return self.file.fileno()

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        if self.progress and chunk:
            self.progress(len(chunk))
        return chunk


class Client:
    """``Client("https://portal.example.com", token="...")``; every method returns the API's JSON."""

    def __init__(self, url: str, token: str, *, timeout: float = 60.0):
        self.url = url.rstrip("/")
        self.http = httpx.Client(
            base_url=f"{self.url}/api/v1/",
            headers={"Authorization": f"Token {token}", "Accept": "application/json"},
            timeout=timeout,
        )

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.http.close()

    def call(self, method: str, path: str, **kwargs) -> Any:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise PortalError(f"Cannot reach the portal at {self.url}: {exc}") from exc
        if response.is_error:
            body = response.json() if "json" in response.headers.get("content-type", "") else response.text
            raise PortalError(_message(response), status=response.status_code, body=body)
        if "json" not in response.headers.get("content-type", ""):
            return response.text
        return response.json()

    # --- who am I ---------------------------------------------------------------------------------
    def tokens(self) -> list[dict]:
        return self.call("GET", "tokens/")["results"]

    # --- datasets ---------------------------------------------------------------------------------
    def dataset_upload(
        self, path: Path, *, team: str, name: str, description: str = "", progress: Progress | None = None
    ) -> dict:
        with path.open("rb") as file:
            upload = _CountingReader(file, progress)
            return self.call(
                "POST",
                "datasets/",
                data={"team": team, "name": name, "description": description},
                files={"file": (path.name, upload, "text/csv")},
                timeout=None,
            )

    def dataset(self, pk: int) -> dict:
        return self.call("GET", f"datasets/{pk}/")

    def dataset_wait(
        self, pk: int, *, on_change: Callable[[dict], None] | None = None, poll: float = 1.0
    ) -> dict:
        return self._wait(lambda: self.dataset(pk), busy=("processing",), on_change=on_change, poll=poll)

    # --- training ---------------------------------------------------------------------------------
    def job_start(self, **fields: Any) -> dict:
        return self.call("POST", "training-jobs/", json={k: v for k, v in fields.items() if v is not None})

    def job(self, pk: int) -> dict:
        return self.call("GET", f"training-jobs/{pk}/")

    def job_wait(
        self, pk: int, *, on_change: Callable[[dict], None] | None = None, poll: float = 1.0
    ) -> dict:
        return self._wait(lambda: self.job(pk), busy=("queued", "running"), on_change=on_change, poll=poll)

    # --- versions trained elsewhere ------------------------------------------------------------------
    def external_version_register(self, path: Path, *, model: str, **fields: Any) -> dict:
        """Upload an artefact (skops or ONNX) trained elsewhere; the answer is its evaluation job.
        ``fields``: dataset_version, target, features, classes, parameters, input_schema, seed,
        holdout_share, source_repository, source_commit, training_data, framework, framework_version."""
        data: dict[str, Any] = {"registered_model": model}
        for name, value in fields.items():
            if value is None or value == [] or value == {}:
                continue
            if name in ("classes", "parameters", "input_schema"):
                value = json.dumps(value)
            data[name] = value
        with path.open("rb") as file:
            return self.call(
                "POST",
                "external-versions/",
                data=data,
                files={"artefact": (path.name, file, "application/octet-stream")},
                timeout=None,
            )

    # --- registry ---------------------------------------------------------------------------------
    def version(self, model: str, number: int) -> dict:
        return self.call("GET", f"models/{model}/versions/{number}/")

    def promote(self, model: str, number: int, *, to_stage: str, reason: str, override: bool = False) -> dict:
        body = {"to_stage": to_stage, "reason": reason, "override": override}
        return self.call("POST", f"models/{model}/versions/{number}/promote/", json=body)

    def predict(self, model: str, records: list[dict], *, version: int | None = None) -> dict:
        params = {"version": version} if version is not None else None
        return self.call("POST", f"models/{model}/predict/", json={"records": records}, params=params)

    def backstage(self, *, output: str = "yaml") -> Any:
        return self.call("GET", "catalog/backstage/", params={"output": output})

    # --- outcomes ---------------------------------------------------------------------------------
    def observations_post(self, rows: Iterable[dict]) -> dict:
        return self.call("POST", "observations/", json=list(rows))

    # --- waiting ----------------------------------------------------------------------------------
    def _wait(self, read, *, busy: tuple[str, ...], on_change, poll: float) -> dict:
        last = None
        while True:
            state = read()
            seen = (state["status"], state.get("progress"), state.get("stage"))
            if on_change and seen != last:
                on_change(state)
            last = seen
            if state["status"] not in busy:
                if state["status"] in ("failed", "cancelled"):
                    raise Failed(state.get("error") or f"It ended {state['status']}.", body=state)
                return state
            time.sleep(poll)
