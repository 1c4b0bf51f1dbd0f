from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.views import ServiceViewSetMixin
from apps.outcomes import dashboards, selectors, services
from apps.outcomes.api.serializers import (
    DriftResultSerializer,
    IngestRejectedSerializer,
    IngestResponseSerializer,
    KpiSerializer,
    ModelCostSerializer,
    ModelMonitoringSerializer,
    ObservationRowSerializer,
    ObservationSerializer,
    StreamImpactSerializer,
)
from apps.outcomes.filtersets import (
    DriftResultFilterSet,
    KpiFilterSet,
    ModelCostFilterSet,
    ObservationFilterSet,
)
from apps.outcomes.forms import DashboardFilterForm
from apps.outcomes.requests_feedback import expected_vs_realised


class KpiViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """KPIs of value streams: unit, direction (higher or lower is better), money value per unit, target."""

    serializer_class = KpiSerializer
    filterset_class = KpiFilterSet
    ordering_fields = ["name"]
    create_service = services.kpi_create
    update_service = services.kpi_update
    delete_service = services.kpi_delete
    instance_kwarg = "kpi"
    policy_rules = {
        "update": ("outcomes.change_kpi", lambda kpi: kpi.stream),
        "partial_update": ("outcomes.change_kpi", lambda kpi: kpi.stream),
        "destroy": ("outcomes.change_kpi", lambda kpi: kpi.stream),
        "retire": ("outcomes.change_kpi", lambda kpi: kpi.stream),
    }

    def get_queryset(self):
        return selectors.kpi_list()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "confirm",
                bool,
                description="Platform staff only: delete a KPI that has observations, with them.",
            )
        ],
        responses={204: None, 403: None, 409: None},
        description="Delete a KPI (the stream's product manager or platform staff). A KPI with "
        "observations answers 409: retire it instead; platform staff may delete it with `confirm=true`.",
    )
    def destroy(self, request, *args, **kwargs):
        try:
            confirm = serializers.BooleanField().to_internal_value(
                request.query_params.get("confirm", "false")
            )
        except serializers.ValidationError as exc:  # a 400 naming the parameter, as every refusal does
            raise serializers.ValidationError({"confirm": exc.detail}) from exc
        services.kpi_delete(actor=request.user, kpi=self.get_object(), confirm=confirm)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: KpiSerializer},
        description="Retire the KPI: it keeps its observations and dashboards and takes no new ones. "
        "The stream's product manager or platform staff.",
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        kpi = services.kpi_retire(actor=request.user, kpi=self.get_object())
        return Response(KpiSerializer(self.get_queryset().get(pk=kpi.pk)).data)


class ObservationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """KPI observations. POST a JSON list of rows to ingest in bulk (at most 10,000; all-or-nothing;
    re-sent rows with the same KPI, time, segment and model update instead of duplicating)."""

    serializer_class = ObservationSerializer
    filterset_class = ObservationFilterSet
    ordering_fields = ["time"]

    def get_queryset(self):
        return selectors.observation_list()

    @extend_schema(
        request=ObservationRowSerializer(many=True),
        responses={201: IngestResponseSerializer, 400: IngestRejectedSerializer, 413: None},
    )
    def create(self, request):
        rows = request.data.get("rows") if isinstance(request.data, dict) else request.data
        try:
            result = services.observations_ingest(actor=request.user, rows=rows)
        except services.IngestError as error:
            return Response(
                {"detail": str(error), "errors": error.errors}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response({"saved": result.saved, "kpis": result.kpis}, status=status.HTTP_201_CREATED)


class ModelCostViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """Running cost and team effort per month of each model (for ROI), looked up by model slug."""

    serializer_class = ModelCostSerializer
    filterset_class = ModelCostFilterSet
    lookup_field = "model__slug"
    lookup_url_kwarg = "model"
    create_service = services.model_cost_create
    update_service = services.model_cost_update
    delete_service = services.model_cost_delete
    instance_kwarg = "cost"

    def get_queryset(self):
        return selectors.model_cost_list()


class DriftResultViewSet(viewsets.ReadOnlyModelViewSet):
    """Input drift per model version and feature over time (population stability index)."""

    serializer_class = DriftResultSerializer
    filterset_class = DriftResultFilterSet

    def get_queryset(self):
        return selectors.drift_result_list()


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period",
        str,
        enum=["90", "180", "365", "730", "all", "custom"],
        description="Preset period (default 365 days); custom uses start/end",
    ),
    OpenApiParameter("start", str, description="YYYY-MM-DD, inclusive"),
    OpenApiParameter("end", str, description="YYYY-MM-DD, inclusive"),
]


def _period(request):
    form = DashboardFilterForm(request.query_params or None)
    if form.is_bound and not form.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
    return form.period_value()


class StreamImpactView(APIView):
    """Impact per model of a value stream: the same numbers the stream dashboard's charts show."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=StreamImpactSerializer)
    def get(self, request, slug):
        stream = selectors.stream_for_dashboard(slug=slug)
        period = _period(request)
        impacts = dashboards.stream_impacts(stream=stream, period=period)
        calibration = expected_vs_realised(impacts=impacts)
        payload = {
            "stream": stream.slug,
            "start": period.start,
            "end": period.end,
            "models": impacts,
            "requests": calibration.outcomes,
            "estimate_ratio": calibration.median_ratio,
        }
        return Response(StreamImpactSerializer(payload).data)


class ModelMonitoringView(APIView):
    """Prediction volume, errors, latency percentiles and input drift of a model (last 30 days of the
    period), as recorded by its prediction endpoint."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=ModelMonitoringSerializer)
    def get(self, request, slug):
        model = selectors.model_for_outcomes(slug=slug)
        return Response(
            ModelMonitoringSerializer(dashboards.model_monitoring(model=model, period=_period(request))).data
        )
