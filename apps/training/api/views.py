from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.exceptions import PayloadTooLarge
from apps.core.api.views import ServiceViewSetMixin
from apps.core.validation import FormParser, JSONParser, MultiPartParser
from apps.training import selectors, services
from apps.training.api.serializers import (
    DatasetUploadSerializer,
    DatasetVersionDetailSerializer,
    DatasetVersionSerializer,
    ExternalVersionSerializer,
    RetrainingScheduleSerializer,
    TrainingJobCreateSerializer,
    TrainingJobDetailSerializer,
    TrainingJobSerializer,
)
from apps.training.csvfile import UploadTooLarge, declared_too_large, limit_text
from apps.training.estimators import CATALOGUE
from apps.training.filtersets import (
    DatasetVersionFilterSet,
    RetrainingScheduleFilterSet,
    TrainingJobFilterSet,
)


class DatasetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Dataset versions: upload a CSV (multipart), list, and read a version's schema and preview."""

    filterset_class = DatasetVersionFilterSet
    ordering_fields = ["name", "version", "created_at"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        if self.action == "list":
            return selectors.dataset_list()
        return selectors.dataset_detail_queryset()

    def get_serializer_class(self):
        if self.action == "create":
            return DatasetUploadSerializer
        return (
            DatasetVersionSerializer
            if self.action in ("list", "versions")
            else DatasetVersionDetailSerializer
        )

    @extend_schema(
        request={"multipart/form-data": DatasetUploadSerializer},
        responses={
            202: DatasetVersionDetailSerializer,
            400: OpenApiResponse(description="Refused file: the problem is named under `file`."),
            413: OpenApiResponse(description="The upload is over the size limit (chunked or not)."),
        },
    )
    def create(self, request):
        """Upload a CSV as the next version of the team's dataset ``name`` (streamed, never read whole).
        Cheap checks run at once (size, encoding, header, column count, the first rows); the answer is
        202 with the dataset ``processing`` while a worker checks every row and profiles it: follow
        ``status`` (``ready`` or ``failed`` with ``error``) and ``progress`` on the dataset."""
        if declared_too_large(request):
            raise PayloadTooLarge(f"The upload is larger than the limit of {limit_text()}.")
        serializer = DatasetUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            dataset = services.dataset_upload(actor=request.user, **serializer.validated_data)
        except UploadTooLarge as exc:
            raise PayloadTooLarge(" ".join(exc.messages)) from exc
        return Response(DatasetVersionDetailSerializer(dataset).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=DatasetVersionSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def versions(self, request, pk=None):
        """Every version of this dataset (same team and name), newest first."""
        dataset = self.get_object()
        versions = selectors.dataset_versions(dataset=dataset)
        return Response(DatasetVersionSerializer(versions, many=True).data)

    @extend_schema(responses=inline_serializer("DatasetSchema", {"columns": serializers.ListField()}))
    @action(detail=True, url_path="schema", url_name="schema")
    def column_schema(self, request, pk=None):
        """The inferred schema: per column name, type, missing share, distinct count, examples, summary."""
        return Response({"columns": self.get_object().schema})

    @extend_schema(
        responses=inline_serializer(
            "DatasetPreview", {"columns": serializers.ListField(), "rows": serializers.ListField()}
        )
    )
    @action(detail=True)
    def preview(self, request, pk=None):
        """The first rows, as strings."""
        dataset = self.get_object()
        return Response({"columns": dataset.column_names, "rows": dataset.preview})


class TrainingJobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Training jobs: create (queued on the training queue), follow progress and metrics, cancel."""

    filterset_class = TrainingJobFilterSet
    ordering_fields = ["created_at", "status"]

    def get_queryset(self):
        return selectors.job_list() if self.action == "list" else selectors.job_detail_queryset()

    def get_serializer_class(self):
        if self.action == "create":
            return TrainingJobCreateSerializer
        return TrainingJobSerializer if self.action == "list" else TrainingJobDetailSerializer

    @extend_schema(request=TrainingJobCreateSerializer, responses={201: TrainingJobDetailSerializer})
    def create(self, request):
        serializer = TrainingJobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = services.training_job_create(actor=request.user, data=serializer.validated_data)
        job = selectors.job_detail(pk=job.pk)
        return Response(TrainingJobDetailSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            200: TrainingJobDetailSerializer,
            409: OpenApiResponse(description="Not cancellable; `allowed` names the states that are."),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a queued or running job (409 naming the allowed states otherwise)."""
        job = services.training_job_cancel(actor=request.user, job=self.get_object())
        return Response(TrainingJobDetailSerializer(selectors.job_detail(pk=job.pk)).data)


class ExternalVersionView(APIView):
    """Bring your own model: register a version trained elsewhere for evaluation."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ExternalVersionSerializer},
        responses={
            201: TrainingJobDetailSerializer,
            400: OpenApiResponse(description="Refused: the problem is named per field (e.g. `artefact`)."),
            413: OpenApiResponse(description="The artefact is over the size limit."),
        },
    )
    def post(self, request):
        """Upload the artefact (a skops file of a scikit-learn-compatible pipeline, or an ONNX model)
        with its input schema, lineage and the dataset version and target to judge it on. It is
        checked at once (size, trusted types, the ONNX graph against the input schema); the answer is
        the evaluation job (201): follow it at ``/api/v1/training-jobs/<id>/`` until it succeeds with
        ``registered_version`` (scored with its baselines on the dataset's holdout split) or fails
        with ``error``."""
        if declared_too_large(request):
            raise PayloadTooLarge(f"The upload is larger than the limit of {limit_text()}.")
        serializer = ExternalVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            job = services.external_version_submit(actor=request.user, data=serializer.validated_data)
        except UploadTooLarge as exc:
            raise PayloadTooLarge(" ".join(exc.messages)) from exc
        job = selectors.job_detail(pk=job.pk)
        return Response(TrainingJobDetailSerializer(job).data, status=status.HTTP_201_CREATED)


class EstimatorCatalogueView(APIView):
    """The estimators a job may use, per task, with each hyperparameter's type, range or choices."""

    @extend_schema(responses=inline_serializer("EstimatorCatalogue", {"estimators": serializers.ListField()}))
    def get(self, request):
        return Response({"estimators": [spec.describe() for spec in CATALOGUE.values()]})


def _save_schedule(*, actor, data, schedule=None):
    return services.retraining_schedule_save(actor=actor, data=data, schedule=schedule)


class RetrainingScheduleViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """Scheduled retraining: every ``interval_hours`` a job trains on the newest version of the named
    dataset and registers a new candidate of the model."""

    serializer_class = RetrainingScheduleSerializer
    filterset_class = RetrainingScheduleFilterSet
    create_service = _save_schedule
    update_service = _save_schedule
    delete_service = services.retraining_schedule_delete
    instance_kwarg = "schedule"

    def get_queryset(self):
        return selectors.schedule_list()
