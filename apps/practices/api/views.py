from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.views import ServiceViewSetMixin
from apps.core.validation import refuse_unknown_query_parameters
from apps.practices import delivery, selectors, services
from apps.practices.api.serializers import (
    EngagementSerializer,
    RecomputeSerializer,
    RubricEntrySerializer,
    ScorecardDetailSerializer,
    ScorecardSnapshotSerializer,
    SelfAssessmentSerializer,
    StreamDeliverySerializer,
    SurveyResponseSerializer,
    SurveyResultSerializer,
    SurveyRoundSerializer,
)
from apps.practices.filtersets import (
    EngagementFilterSet,
    ScorecardFilterSet,
    SelfAssessmentFilterSet,
    SurveyResponseFilterSet,
)
from apps.registry.models import RegisteredModel
from apps.teams.models import Team


class ScorecardViewSet(viewsets.ReadOnlyModelViewSet):
    """Scorecards of teams and models. The list holds each subject's latest snapshot (add
    ``?history=true`` for every snapshot); ``team/<slug>/`` and ``model/<slug>/`` give the latest one,
    what the next level needs, and the history."""

    serializer_class = ScorecardSnapshotSerializer
    filterset_class = ScorecardFilterSet
    ordering_fields = ["computed_at", "level"]
    extra_query_parameters = ("history",)

    def get_queryset(self):
        if self.action == "list" and self.request.query_params.get("history") != "true":
            return selectors.latest_snapshots()
        return selectors.snapshot_list()

    @extend_schema(
        parameters=[
            OpenApiParameter("history", bool, description="List every snapshot, not only the latest.")
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=ScorecardDetailSerializer)
    @action(detail=False, url_path=r"team/(?P<slug>[-\w]+)", filterset_class=None, pagination_class=None)
    def team(self, request, slug=None):
        detail = selectors.scorecard_detail(team=get_object_or_404(Team, slug=slug))
        return Response(ScorecardDetailSerializer(detail).data)

    @extend_schema(responses=ScorecardDetailSerializer)
    @action(detail=False, url_path=r"model/(?P<slug>[-\w]+)", filterset_class=None, pagination_class=None)
    def model(self, request, slug=None):
        detail = selectors.scorecard_detail(model=get_object_or_404(RegisteredModel, slug=slug))
        return Response(ScorecardDetailSerializer(detail).data)

    @extend_schema(request=RecomputeSerializer, responses=ScorecardSnapshotSerializer)
    @action(detail=False, methods=["post"], filterset_class=None)
    def recompute(self, request):
        """Recompute one team's or model's scorecard now (its lead/PM or platform staff)."""
        serializer = RecomputeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data.get("team"):
            team = get_object_or_404(Team, slug=serializer.validated_data["team"])
            snapshot = services.scorecard_recompute_on_request(actor=request.user, team=team)
        else:
            model = get_object_or_404(RegisteredModel, slug=serializer.validated_data["model"])
            snapshot = services.scorecard_recompute_on_request(actor=request.user, model=model)
        return Response(ScorecardSnapshotSerializer(snapshot).data, status=status.HTTP_200_OK)

    @extend_schema(responses=RubricEntrySerializer(many=True))
    @action(detail=False, filterset_class=None, pagination_class=None)
    def rubric(self, request):
        """The rubric in force: each check's category, level and what to do when it fails."""
        return Response(RubricEntrySerializer(selectors.rubric_rows(), many=True).data)


class SelfAssessmentViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """Practices a team assesses itself (version control, CI, tests, code review, monitoring), each
    with an evidence link; expired ones do not count."""

    serializer_class = SelfAssessmentSerializer
    filterset_class = SelfAssessmentFilterSet
    ordering_fields = ["expires_on", "assessed_at"]
    create_service = services.self_assessment_create
    update_service = services.self_assessment_update
    delete_service = services.self_assessment_delete
    instance_kwarg = "assessment"

    def get_queryset(self):
        return selectors.self_assessment_list()


class SurveyRoundViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """Rounds of the team cognitive-load survey (platform staff open them)."""

    serializer_class = SurveyRoundSerializer
    ordering_fields = ["opens_on"]
    create_service = services.survey_round_create
    update_service = services.survey_round_update
    delete_service = services.survey_round_delete
    instance_kwarg = "survey_round"

    def get_queryset(self):
        return selectors.survey_round_list()

    @extend_schema(
        parameters=[OpenApiParameter("team", str, description="Team slug")],
        responses=SurveyResultSerializer(many=True),
    )
    @action(detail=False, pagination_class=None)
    def results(self, request):
        """Mean cognitive load per team and round (answers are shown to everyone only in aggregate)."""
        teams = None
        if request.query_params.get("team"):
            teams = [get_object_or_404(Team, slug=request.query_params["team"])]
        return Response(SurveyResultSerializer(selectors.survey_results(teams=teams), many=True).data)


class SurveyResponseViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """A member's answers for their own team; posting again in a round replaces them. You see your own
    answers (platform staff see all); everyone sees the aggregated results."""

    serializer_class = SurveyResponseSerializer
    filterset_class = SurveyResponseFilterSet
    create_service = services.survey_response_submit
    update_service = services.survey_response_update
    delete_service = services.survey_response_delete
    instance_kwarg = "response"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.survey_response_list()
        return selectors.survey_responses_visible_to(self.request.user)


class EngagementViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """Enabling engagements: a facilitating interaction, goals (checks to improve), a time-box and the
    scorecard before and after."""

    serializer_class = EngagementSerializer
    filterset_class = EngagementFilterSet
    create_service = services.engagement_create
    update_service = services.engagement_update
    delete_service = services.engagement_delete
    instance_kwarg = "engagement"

    def get_queryset(self):
        return selectors.engagement_list()

    @extend_schema(request=None, responses=EngagementSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """End the time-box: record the scorecard after (409 when already completed)."""
        engagement = services.engagement_complete(actor=request.user, engagement=self.get_object())
        return Response(self.get_serializer(selectors.engagement_detail(pk=engagement.pk)).data)


class StreamDeliveryView(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Per value stream: who delivers production models and the model delivery keys."""

    serializer_class = StreamDeliverySerializer
    pagination_class = None
    filter_backends: list = []

    def list(self, request, *args, **kwargs):
        refuse_unknown_query_parameters(request, self, None)  # no filter backend does it here
        return Response(self.get_serializer(delivery.stream_delivery(), many=True).data)
