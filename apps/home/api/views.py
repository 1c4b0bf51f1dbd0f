"""``/api/v1/me/waiting/``: the decisions waiting for the caller, as on their home page."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.home import selectors


class WaitingRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    status = serializers.CharField()
    requesting_team = serializers.CharField(source="requesting_team.slug")
    delivering_team = serializers.CharField(source="delivering_team.slug")
    stream = serializers.CharField(source="value_stream.slug")
    submitted_at = serializers.DateTimeField(read_only=True)
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="The score inputs it lacks (sizing and scoring)."
    )
    url = serializers.CharField(source="get_absolute_url")


class WaitingKindSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()
    items = WaitingRequestSerializer(many=True, source="rows")


class WaitingFeedbackSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    model = serializers.CharField(source="model.slug")
    title = serializers.CharField()
    status = serializers.CharField()
    filed_at = serializers.DateTimeField(read_only=True)


class WaitingVersionSerializer(serializers.Serializer):
    model = serializers.CharField(source="model.slug")
    number = serializers.IntegerField()
    failures = serializers.SerializerMethodField()

    def get_failures(self, version) -> list[str]:
        return [failure.message for failure in version.failures]


class WaitingSerializer(serializers.Serializer):
    requests_count = serializers.IntegerField(help_text="Requests with a decision waiting for you.")
    triage = WaitingKindSerializer()
    decide = WaitingKindSerializer()
    size = WaitingKindSerializer()
    value = WaitingKindSerializer(help_text="Requests waiting for their value inputs (to score).")
    feedback_count = serializers.IntegerField()
    feedback = WaitingFeedbackSerializer(many=True)
    blocked_versions = WaitingVersionSerializer(
        many=True, help_text="Your teams' staging versions whose production gates fail."
    )


class WaitingView(APIView):
    """The decisions waiting for you, as on your home page: requests to triage, to accept or
    reject, to size (delivering team's lead or PM) and to score (value side: the stream's
    accountable PM, the requesting team's lead or PM), each with its count and first 10 (oldest
    first); your teams' feedback to answer; your teams' versions blocked by their gates. The full
    list of requests: ``/api/v1/model-requests/?waiting=me``."""

    @extend_schema(responses={200: WaitingSerializer})
    def get(self, request):
        data = selectors.decisions(user=request.user)
        body = {
            "requests_count": data["waiting_count"],
            **{kind: data["waiting"][kind] for kind in ("triage", "decide", "size", "value")},
            "feedback_count": data["feedback_count"],
            "feedback": data["feedback"],
            "blocked_versions": data["blocked_versions"],
        }
        return Response(WaitingSerializer(body).data)
