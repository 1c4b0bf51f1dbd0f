from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.exceptions import PayloadTooLarge
from apps.core.exceptions import Conflict
from apps.registry import selectors, services
from apps.registry.api.fastjson import OrjsonParser, OrjsonRenderer
from apps.registry.api.serializers import (
    FeedbackResponseSerializer,
    FeedbackSerializer,
    GateRefusalSerializer,
    ModelVersionSerializer,
    PredictionRequestSerializer,
    PredictionResponseSerializer,
    PromoteSerializer,
    RegisteredModelDetailSerializer,
    RegisteredModelSerializer,
    RollbackSerializer,
    StageChangeSerializer,
)
from apps.registry.artefacts import ArtefactError
from apps.registry.backstage import build_entities, to_yaml
from apps.registry.comparison import compare_versions
from apps.registry.feedback_loop import loop_summary
from apps.registry.filtersets import FeedbackFilterSet, ModelVersionFilterSet, RegisteredModelFilterSet
from apps.registry.models import ModelVersion
from apps.registry.prediction import predict
from apps.registry.serving import serving_version

CONFLICT = inline_serializer(
    "RegistryConflict",
    {"detail": serializers.CharField(), "allowed": serializers.ListField(child=serializers.CharField())},
)


class RegisteredModelViewSet(viewsets.ModelViewSet):
    """Registered models, looked up by slug. Owning team's lead/PM or platform staff change them."""

    filterset_class = RegisteredModelFilterSet
    lookup_field = "slug"
    ordering_fields = ["name", "lifecycle"]

    def get_queryset(self):
        return selectors.model_list().prefetch_related("consuming_teams")

    def get_serializer_class(self):
        return RegisteredModelDetailSerializer if self.action == "retrieve" else RegisteredModelSerializer

    def get_object(self):
        model = super().get_object()
        if self.action == "retrieve":
            model.feedback_loop_summary = loop_summary(
                selectors.feedback_of_model(registered_model=model), tier=model.support_tier
            )
        return model

    # The answer carries the list's counts (open and overdue feedback, versions), annotations the
    # service's instance lacks: a new model has none of them; an updated one is read again.
    def perform_create(self, serializer):
        model = services.registered_model_create(actor=self.request.user, data=serializer.validated_data)
        model.open_feedback = model.overdue_feedback = model.version_count = 0
        # its consuming teams are the ones the serializer read from the request: not read again
        # (as a prefetch would leave them, in the teams' order: by name)
        teams = model.consuming_teams.all()
        teams._result_cache = sorted(serializer.validated_data.get("consuming_teams") or [], key=str)
        teams._prefetch_done = True
        model._prefetched_objects_cache = {"consuming_teams": teams}
        serializer.instance = model

    def perform_update(self, serializer):
        model = services.registered_model_update(
            actor=self.request.user, registered_model=serializer.instance, data=serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=model.pk)

    def perform_destroy(self, instance):
        services.registered_model_delete(actor=self.request.user, registered_model=instance)

    @extend_schema(request=RollbackSerializer, responses={200: ModelVersionSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def rollback(self, request, slug=None):
        """One action: the previous production version goes back to production, the current is archived."""
        serializer = RollbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.version_rollback(
            registered_model=self.get_object(), actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(ModelVersionSerializer(version).data)

    @extend_schema(responses=StageChangeSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="stage-history")
    def stage_history(self, request, slug=None):
        """Every stage change of every version: who, when, why, rollbacks and gate overrides."""
        changes = selectors.stage_history(registered_model=self.get_object())
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(StageChangeSerializer(page, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("a", OpenApiTypes.INT, required=True, description="A version number."),
            OpenApiParameter("b", OpenApiTypes.INT, required=True, description="Another version number."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def compare(self, request, slug=None):
        """Two versions side by side: metrics (with baselines) and lineage differences."""
        model = self.get_object()
        numbers = _version_numbers(request.query_params, ("a", "b"))
        versions = [selectors.version_detail(registered_model=model, number=n) for n in numbers]
        return Response(compare_versions(*versions, metric=model.primary_metric).as_dict())


def _version_numbers(params, names) -> list[int]:
    errors, numbers = {}, []
    for name in names:
        try:
            numbers.append(int(params[name]))
        except (KeyError, ValueError):
            errors[name] = ["Give a version number."]
    if errors:
        raise ValidationError(errors)
    return numbers


class ModelVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """A model's versions (created only by registration, e.g. a finished training job), by number."""

    serializer_class = ModelVersionSerializer
    filterset_class = ModelVersionFilterSet
    lookup_field = "number"
    lookup_value_regex = r"\d+"

    def get_registered_model(self):
        if not hasattr(self, "_registered_model"):
            self._registered_model = selectors.model_detail(slug=self.kwargs["model_slug"])
        return self._registered_model

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no URL kwargs
            return ModelVersion.objects.none()
        return selectors.version_list(registered_model=self.get_registered_model())

    @extend_schema(
        request=PromoteSerializer,
        responses={200: ModelVersionSerializer, 409: GateRefusalSerializer},
        description="Move the version to another stage. Production is refused (409, naming each failed "
        "gate) unless it beats its baseline by the model's margin and the card is complete; platform "
        "staff may set `override`. A move the current stage does not allow is 409 naming allowed moves.",
    )
    @action(detail=True, methods=["post"])
    def promote(self, request, model_slug=None, number=None):
        serializer = PromoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            version = services.version_promote(
                version=self.get_object(), actor=request.user, **serializer.validated_data
            )
        except services.GatesFailed as refusal:
            return Response(
                {"detail": refusal.message, "allowed": refusal.allowed, "failed_gates": refusal.failed_gates},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(ModelVersionSerializer(version).data)


class PredictView(APIView):
    """Predict with a model's production version (or ``?version=N``).

    Body: ``{"records": [{column: value, ...}, ...]}`` or an MLflow scoring format
    (``dataframe_split``, ``dataframe_records``, ``instances``). Columns and types are checked against
    the version's input schema; a 400 names the column.
    """

    cache_token_lookup = True  # see apps.core.authentication
    permission_classes = [IsAuthenticated]
    parser_classes = [OrjsonParser]
    renderer_classes = [OrjsonRenderer]

    @extend_schema(
        request=PredictionRequestSerializer,
        parameters=[OpenApiParameter("version", OpenApiTypes.INT, description="Default: production.")],
        responses={
            200: PredictionResponseSerializer,
            400: OpenApiTypes.OBJECT,
            409: CONFLICT,
            413: OpenApiTypes.OBJECT,
        },
    )
    def post(self, request, model_slug):
        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise PayloadTooLarge(
                f"At most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes per request; send smaller batches."
            )
        version = self._version(model_slug, request.query_params.get("version"))
        try:
            result = predict(version=version, records=request.data)
        except ArtefactError as error:
            raise Conflict(f"Version {version.number} cannot serve predictions: {error}") from error
        # Rendered here, so the result is not kept by a DRF Response that points back at this view.
        return HttpResponse(OrjsonRenderer().render(result), content_type="application/json")

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        # DRF's request points at itself and at this view (``parser_context``): a reference cycle that
        # only the cyclic garbage collector frees, and it holds the parsed body (1,000 rows: ~1 MB).
        # Objects of a request that outlived two young collections wait for a full collection, which
        # a large process runs rarely: web processes grew by ~100 MB under 1,000-row traffic
        # (benchmarks/prediction_memory.py). Breaking the cycle frees it all when the request ends.
        if isinstance(self.request, Request):
            self.request.parser_context = {}
        return response

    def _version(self, slug: str, number: str | None):
        if number is not None and not number.isdigit():
            raise ValidationError({"version": ["Give a version number."]})
        version = serving_version(slug=slug, number=int(number) if number else None)
        if version is not None:
            return version
        model = selectors.model_detail(slug=slug)  # 404 for an unknown model
        if number:
            raise ValidationError({"version": [f"{model} has no version {number}."]})
        numbers = [str(n) for n in model.versions.values_list("number", flat=True)]
        raise Conflict(f"{model} has no version in production; pass ?version=N.", allowed=numbers)


class FeedbackViewSet(viewsets.ModelViewSet):
    """Feedback consuming teams file on models, and the owning team's acknowledgement and resolution."""

    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilterSet
    ordering_fields = ["filed_at", "severity", "status"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.feedback_list()

    def perform_create(self, serializer):
        feedback = services.feedback_create(actor=self.request.user, data=serializer.validated_data)
        serializer.instance = selectors.feedback_list().get(pk=feedback.pk)

    def _respond(self, request, service):
        serializer = FeedbackResponseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feedback = service(actor=request.user, feedback=self.get_object(), **serializer.validated_data)
        return Response(FeedbackSerializer(selectors.feedback_list().get(pk=feedback.pk)).data)

    @extend_schema(request=FeedbackResponseSerializer, responses={200: FeedbackSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._respond(request, services.feedback_acknowledge)

    @extend_schema(request=FeedbackResponseSerializer, responses={200: FeedbackSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._respond(request, services.feedback_resolve)


class BackstageCatalogView(APIView):
    """The catalogue as Backstage entities; ``?output=yaml`` gives multi-document YAML."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("output", OpenApiTypes.STR, enum=["json", "yaml"])],
        responses={
            (200, "application/json"): inline_serializer(
                "BackstageCatalog", {"items": serializers.ListField()}
            ),
            # ?output=yaml: one YAML document per entity.
            (200, "application/yaml"): {"type": "array", "items": {"type": "object"}},
        },
    )
    def get(self, request):
        entities = build_entities(base_url=request.build_absolute_uri("/"))
        if request.query_params.get("output") == "yaml":
            return HttpResponse(to_yaml(entities), content_type="application/yaml; charset=utf-8")
        return Response({"items": entities})
