"""What training asks of the apps above it. A job may be started for a model request, which lives in
apps.modelrequests, an app training does not know: the app that links the two (apps.outcomes)
registers here in its ``AppConfig.ready()``."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class RequestLinks:
    # ``link(*, actor, job, request_id)``: record that ``job`` answers request ``request_id``, in the
    # job's transaction; raises ValidationError({"model_request": ...}) or PermissionDenied when it may not.
    link: Callable[..., None]
    # ``describe(request_id)`` -> {"title", "label", "url", "registered_model_id"} or None (no such request)
    describe: Callable[[int], dict | None]


_links: list[RequestLinks] = []


def provide_request_links(links: RequestLinks) -> None:
    if links not in _links:
        _links.append(links)


def link_job_to_request(*, actor, job, request_id: int) -> None:
    if not _links:
        raise ValidationError({"model_request": "This portal does not link training jobs to model requests."})
    for links in _links:
        links.link(actor=actor, job=job, request_id=request_id)


def describe_request(request_id: int) -> dict | None:
    for links in _links:
        found = links.describe(request_id)
        if found is not None:
            return found
    return None
