from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.views import ServiceViewSetMixin
from apps.core.filters import filter_errors
from apps.modelrequests import flow_metrics, selectors, services, streamview
from apps.modelrequests.api.serializers import (
    BacklogItemSerializer,
    BacklogSerializer,
    BulkScoreInputSerializer,
    BulkScoreResultSerializer,
    CommentSerializer,
    ConflictSerializer,
    FlowSerializer,
    ModelRequestDetailSerializer,
    ModelRequestSerializer,
    RankInputSerializer,
    RefusedSerializer,
    RoadmapSerializer,
    SavedViewSerializer,
    ScoreResultSerializer,
    ScoreUpdateSerializer,
    StreamItemSerializer,
    TransitionInputSerializer,
    TransitionSerializer,
    UnpinAllInputSerializer,
    UnpinAllResultSerializer,
)
from apps.modelrequests.filtersets import ModelRequestFilterSet, SavedViewFilterSet, with_team_alias
from apps.modelrequests.models import SavedView
from apps.modelrequests.selectors import backlog_view

# A refused row answers {detail, rows: {id: {field: [messages]}}}; a body that does not parse answers,
# as everywhere, field names with their messages (or a plain `detail` from the permission check).
BULK_SCORE_ERROR = OpenApiResponse(
    description="The refused rows and their problems, or the fields of the body at fault.",
    response={
        "anyOf": [
            {
                "type": "object",
                "required": ["detail", "rows"],
                "properties": {
                    "detail": {"type": "string"},
                    "rows": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
            },
            {
                "type": "object",
                "additionalProperties": True,
                "description": "Field names with their messages.",
            },
        ]
    },
)


class ModelRequestViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """Model requests: teams' asks for ML capabilities, with RICE and WSJF scores (null when an input
    is missing), workflow status and manual rank. Status changes go through ``transition``."""

    serializer_class = ModelRequestSerializer
    filterset_class = ModelRequestFilterSet
    ordering_fields = ["submitted_at", "rice", "wsjf", "manual_rank", "title"]
    create_service = services.request_create
    update_service = services.request_update
    delete_service = services.request_delete
    instance_kwarg = "request"

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.request_list().prefetch_related(
                "transitions__actor", "comments__author", "score_inputs__set_by", "training_jobs"
            )
        return selectors.request_list()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ModelRequestDetailSerializer
        return super().get_serializer_class()

    def _fresh(self, pk):
        return get_object_or_404(selectors.request_list(), pk=pk)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = self._fresh(serializer.instance.pk)  # with its scores

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = self._fresh(serializer.instance.pk)

    @extend_schema(
        request=TransitionInputSerializer,
        responses={200: TransitionSerializer, 403: RefusedSerializer, 409: ConflictSerializer},
        description="Move the request along the workflow. A move you may not make answers 403 naming who "
        "may; a move the request's status does not allow answers 409 naming the moves you may make in "
        "words (`allowed` lists their status keys).",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        model_request = self.get_object()
        data = TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transition = services.request_transition(
            actor=request.user,
            request=model_request,
            to_status=data.validated_data["to"],
            note=data.validated_data["note"],
        )
        return Response(TransitionSerializer(transition).data)

    @extend_schema(
        request=RankInputSerializer,
        responses={200: ModelRequestSerializer},
        description="Place the request right after `after` or right before `before` (ids on the same "
        "delivering team's backlog), or at rank `position` (1 is the top of the team's whole backlog as "
        "ranked by `method`, default the board's; a rank past the end is a 400 naming the last one), "
        "overriding its score; `reason` is kept. Safe under concurrent edits.",
    )
    @action(detail=True, methods=["post"])
    def rank(self, request, pk=None):
        model_request = self.get_object()
        data = RankInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_rank(actor=request.user, request=model_request, **data.validated_data)
        return Response(ModelRequestSerializer(self._fresh(model_request.pk)).data)

    @extend_schema(
        request=None,
        responses={200: ModelRequestSerializer},
        description="Remove the request's pin: it follows its score again. Delivering team's lead or PM, "
        "or platform staff.",
    )
    @action(detail=True, methods=["post"])
    def unpin(self, request, pk=None):
        model_request = self.get_object()
        services.request_unpin(actor=request.user, request=model_request)
        return Response(ModelRequestSerializer(self._fresh(model_request.pk)).data)

    @extend_schema(
        request=UnpinAllInputSerializer,
        responses={200: UnpinAllResultSerializer},
        description="Remove every pin of a delivering team's backlog: it follows the score again.",
    )
    @action(detail=False, methods=["post"], url_path="unpin-all", filterset_class=None)
    def unpin_all(self, request):
        data = UnpinAllInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = data.validated_data["delivering_team"]
        count = services.backlog_unpin_all(actor=request.user, team=team)
        return Response({"team": team.slug, "unpinned": count})

    @extend_schema(
        request=ScoreUpdateSerializer,
        responses={200: ScoreResultSerializer},
        description="Set some score inputs. The value side (reach, impact, confidence, business value, "
        "time criticality, risk reduction) is set by the requesting stream's accountable PM or the "
        "requesting team's lead or PM; the size side (effort, job size) by the delivering team's lead "
        "or PM; platform staff set all. Each input records who set it and when. Answers the request "
        "with its new scores and its rank under each method.",
    )
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        model_request = self.get_object()
        data = ScoreUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_score(actor=request.user, request=model_request, data=data.validated_data)
        fresh = get_object_or_404(self.get_queryset().prefetch_related("score_inputs__set_by"), pk=pk)
        ranks = {
            f"{method}_rank": selectors.backlog_rank_of(request=fresh, method=method)
            for method in ("rice", "wsjf")
        }
        return Response(ScoreResultSerializer({"request": fresh, **ranks}).data)

    @extend_schema(
        request=BulkScoreInputSerializer,
        responses={
            200: BulkScoreResultSerializer,
            400: BULK_SCORE_ERROR,
            403: BULK_SCORE_ERROR,
        },
        description="Set score inputs (typically the size: `effort`, `job_size`) of several requests on one "
        "delivering team's backlog, all or nothing. Each row is checked like `score` (scales, who may "
        "set each input) and records who set it; if any row is refused nothing is saved and the answer "
        "names each refused row's problems (403 when every refusal is a missing right, else 400).",
    )
    @action(detail=False, methods=["post"], url_path="bulk-score", filterset_class=None)
    def bulk_score(self, request):
        data = BulkScoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = data.validated_data["delivering_team"]
        rows = {row.pop("id"): row for row in data.validated_data["rows"]}
        try:
            written = services.requests_bulk_score(actor=request.user, team=team, rows=rows)
        except services.BulkScoreRefused as refused:
            return Response(
                {
                    "detail": str(refused),
                    "rows": {str(pk): problems for pk, problems in refused.errors.items()},
                },
                status=status.HTTP_403_FORBIDDEN if refused.forbidden else status.HTTP_400_BAD_REQUEST,
            )
        fresh = selectors.request_list().filter(pk__in=[item.pk for item in written]).order_by("pk")
        return Response(
            {
                "team": team.slug,
                "updated": len(written),
                "results": ModelRequestSerializer(fresh, many=True).data,
            }
        )

    @extend_schema(request=CommentSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["post"])
    def comments(self, request, pk=None):
        model_request = self.get_object()
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_create(
            actor=request.user, request=model_request, body=data.validated_data["body"]
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("delivering_team", OpenApiTypes.STR, required=True, description="Team slug."),
            OpenApiParameter(
                "method", OpenApiTypes.STR, enum=["rice", "wsjf"], description="Default: the board's."
            ),
        ],
        responses={200: BacklogSerializer},
        description="A delivering team's ranked backlog: hand-placed requests first, then by score, each "
        "with its position, score, cumulative size and whether it fits the team's capacity this cycle; "
        "requests missing an input of the method are listed apart as unscored. Filterable like the list.",
    )
    @action(detail=False, methods=["get"], filterset_class=None)
    def backlog(self, request):
        filterset = ModelRequestFilterSet(
            request.query_params, queryset=selectors.request_list(), request=request
        )
        if not filterset.is_valid():
            return Response(filter_errors(filterset), status=status.HTTP_400_BAD_REQUEST)
        team = filterset.form.cleaned_data.get("delivering_team")
        if team is None:
            return Response({"delivering_team": ["Give the delivering team's slug."]}, status=400)
        method = selectors.board_method(team=team, requested=request.query_params.get("method"))
        board = backlog_view(filterset.qs, team=team, method=method)
        page = self.paginate_queryset(board.ranked)
        offset = self.paginator.page.start_index() if page else 1
        for index, item in enumerate(page):
            item.position = offset + index
        response = self.get_paginated_response(BacklogItemSerializer(page, many=True).data)
        unscored = [
            {"id": item.pk, "title": item.title, "missing": item.missing} for item in board.first_unscored
        ]
        response.data = {
            "team": team.slug,
            "method": method,
            "capacity_points": team.capacity_points,
            **response.data,
            "unscored_count": board.unscored_count,
            "unscored": unscored,
        }
        return response

    @extend_schema(
        responses={200: StreamItemSerializer(many=True)},
        description="A value stream's requests (`stream`: its slug; default: the stream you are the "
        "accountable PM of, else your first team's) across every delivering team, backlog first: each "
        "with its rank on its delivering team's backlog, its status, its age and what it waits for. "
        "Filterable like the list.",
    )
    @action(detail=False, methods=["get"])
    def stream(self, request):
        data = request.query_params.copy()
        if not data.get("stream"):
            default = streamview.default_stream(user=request.user)
            if default is None:
                return Response({"stream": ["Give the value stream's slug."]}, status=400)
            data["stream"] = default.slug
        filterset = ModelRequestFilterSet(data, queryset=selectors.request_list(), request=request)
        if not filterset.is_valid():
            return Response(filter_errors(filterset), status=status.HTTP_400_BAD_REQUEST)
        stream = filterset.form.cleaned_data["stream"]
        page = self.paginate_queryset(streamview.stream_requests(filterset.qs, stream=stream))
        streamview.with_ranks(page)
        return self.get_paginated_response(StreamItemSerializer(page, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("delivering_team", OpenApiTypes.STR, description="Delivering team slug."),
            OpenApiParameter("stream", OpenApiTypes.STR, description="Value stream slug."),
        ],
        responses={200: RoadmapSerializer},
        description="Now / Next / Later per delivering team: in progress is now; the ranked backlog that "
        "fits the team's capacity this cycle is next; the rest and the unscored are later (at most 50 "
        "listed each; `later_count` counts them all). Positions are on the team's whole backlog. "
        "Filterable like the list (a stream shows where its requests stand in each team's queue).",
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def roadmap(self, request):
        filterset = ModelRequestFilterSet(
            request.query_params, queryset=selectors.request_list(), request=request
        )
        if not filterset.is_valid():
            return Response(filter_errors(filterset), status=status.HTTP_400_BAD_REQUEST)
        return Response(RoadmapSerializer({"teams": selectors.roadmap(filterset.qs)}).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("team", OpenApiTypes.STR, description="Delivering team slug."),
            OpenApiParameter("stream", OpenApiTypes.STR, description="Value stream slug."),
        ],
        responses={200: FlowSerializer},
        description="Flow metrics (lead, queue and cycle time in days, WIP, weekly throughput, ageing "
        "items, cumulative flow, bottleneck signal) of the requests matching the filters.",
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def flow(self, request):
        filterset = ModelRequestFilterSet(
            with_team_alias(request.query_params), queryset=selectors.request_list(), request=request
        )
        if not filterset.is_valid():
            return Response(filter_errors(filterset), status=status.HTTP_400_BAD_REQUEST)
        report = flow_metrics.flow_report(filterset.qs)
        return Response(FlowSerializer(report.as_dict()).data)


class SavedViewViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """Saved views: a named set of filters (`query`) of the request list, a ranked backlog or the
    kanban (`kind`: `list`, `backlog`, `kanban`). Lists your own and those others shared; only the
    owner (or platform staff) changes or deletes one (403 naming who may)."""

    serializer_class = SavedViewSerializer
    filterset_class = SavedViewFilterSet
    ordering_fields = ["name", "updated_at"]
    create_service = services.saved_view_create
    update_service = services.saved_view_update
    delete_service = services.saved_view_delete
    instance_kwarg = "view"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a user
            return SavedView.objects.none()
        return selectors.saved_views(user=self.request.user)
