"""The events model requests announce (apps.core.events): subscribers such as webhooks hear them."""

from apps.core import events
from apps.modelrequests.models import ModelRequest, RequestComment, RequestTransition


def _about(request: ModelRequest) -> dict:
    return {
        "teams": [request.requesting_team_id, request.delivering_team_id],
        "streams": [request.value_stream_id],
    }


def request_created(request: ModelRequest) -> None:
    events.publish(
        "request.created",
        data={
            "summary": f"#{request.pk} {request.title} (from {request.requesting_team})",
            "request": request.pk,
            "title": request.title,
            "requesting_team": request.requesting_team.slug,
            "status": request.status,
        },
        **_about(request),
    )


def request_moved(transition: RequestTransition) -> None:
    request = transition.request
    events.publish(
        "request.moved",
        data={
            "summary": f"#{request.pk} {request.title}: {transition.get_from_status_display()} → "
            f"{transition.get_to_status_display()}",
            "request": request.pk,
            "title": request.title,
            "from_status": transition.from_status,
            "to_status": transition.to_status,
            "actor": getattr(transition.actor, "username", None),
            "note": transition.note,
        },
        **_about(request),
    )


def request_commented(comment: RequestComment) -> None:
    request = comment.request
    events.publish(
        "request.commented",
        data={
            "summary": f"{comment.author} commented on #{request.pk} {request.title}",
            "request": request.pk,
            "title": request.title,
            "comment": comment.pk,
            "actor": getattr(comment.author, "username", None),
            "body": comment.body,
        },
        **_about(request),
    )
