from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.api.exceptions import PayloadTooLarge
from apps.core.csvexport import csv_response
from apps.core.forms import service_form_page
from apps.core.pagination import paginate
from apps.core.policy import allowed, ensure
from apps.outcomes import dashboards, selectors, services
from apps.outcomes.filtersets import KpiFilterSet, ObservationFilterSet
from apps.outcomes.forms import DashboardFilterForm, KpiForm, ModelCostForm, ObservationUploadForm
from apps.outcomes.ingest import MAX_ROWS
from apps.outcomes.models import Kpi, ModelCost
from apps.outcomes.requests_feedback import expected_vs_realised


def _filters(request) -> DashboardFilterForm:
    return DashboardFilterForm(request.GET or None)


def _csv_response(chart, filename: str):
    return csv_response(chart.columns, chart.csv_rows(), filename=f"{filename}.csv")


def portfolio(request):
    filters = _filters(request)
    dashboard = dashboards.portfolio_dashboard(period=filters.period_value())
    return render(
        request,
        "outcomes/portfolio.html",
        {
            "filters": filters,
            "dashboard": dashboard,
            "charts": dashboard.charts,
            "requests": expected_vs_realised(impacts=dashboard.impacts),
        },
    )


def portfolio_chart_csv(request, name):
    filters = _filters(request)
    chart = dashboards.portfolio_dashboard(period=filters.period_value()).chart(name)
    return _csv_response(chart, f"portfolio-{name}")


def _stream_dashboard(request, slug):
    stream = selectors.stream_for_dashboard(slug=slug)
    filters = _filters(request)
    period, segment = filters.period_value(), filters.segment_value()
    return stream, filters, dashboards.stream_dashboard(stream=stream, period=period, segment=segment)


def _model_dashboard(request, slug):
    model = selectors.model_for_outcomes(slug=slug)
    filters = _filters(request)
    period, segment = filters.period_value(), filters.segment_value()
    return model, filters, dashboards.model_dashboard(model=model, period=period, segment=segment)


def stream_dashboard(request, slug):
    stream, filters, dashboard = _stream_dashboard(request, slug)
    return render(
        request,
        "outcomes/stream_dashboard.html",
        {
            "stream": stream,
            "filters": filters,
            "dashboard": dashboard,
            "charts": dashboard.charts,
            "can_edit": allowed(request.user, "outcomes.change_kpi", stream),
            "can_post": allowed(request.user, "outcomes.post_observations", stream),
            "requests": expected_vs_realised(impacts=dashboard.impacts),
        },
    )


def stream_chart_csv(request, slug, name):
    stream, _, dashboard = _stream_dashboard(request, slug)
    return _csv_response(dashboard.chart(name), f"{stream.slug}-{name}")


def model_detail(request, slug):
    model, filters, dashboard = _model_dashboard(request, slug)
    return render(
        request,
        "outcomes/model_detail.html",
        {
            "model": model,
            "filters": filters,
            "dashboard": dashboard,
            "charts": dashboard.charts,
            "impact": dashboard.impacts[0] if dashboard.impacts else None,
            "can_edit": allowed(request.user, "outcomes.write_model_outcomes", model),
        },
    )


def model_chart_csv(request, slug, name):
    model, _, dashboard = _model_dashboard(request, slug)
    return _csv_response(dashboard.chart(name), f"{model.slug}-{name}")


def model_cost_form(request, slug):
    model = selectors.model_for_outcomes(slug=slug)
    ensure(request.user, "outcomes.write_model_outcomes", model)
    cost = ModelCost.objects.filter(model=model).first()
    return service_form_page(
        request,
        form=ModelCostForm(request.POST or None, instance=cost),
        write=lambda data: services.model_cost_set(actor=request.user, model=model, data=data),
        title=f"Costs of {model.name}",
        cancel_url=reverse("outcomes:model-detail", args=[model.slug]),
        redirect_to=lambda saved: reverse("outcomes:model-detail", args=[model.slug]),
        message=lambda saved: f"Saved the costs of {model.name}.",
    )


def kpi_list(request):
    filterset = KpiFilterSet(request.GET, queryset=selectors.kpi_list())
    return render(
        request, "outcomes/kpi_list.html", {"filter": filterset, "page": paginate(request, filterset.qs)}
    )


def kpi_form(request, pk=None):
    kpi = get_object_or_404(Kpi.objects.select_related("stream"), pk=pk) if pk else None

    def write(data):
        if kpi:
            return services.kpi_update(actor=request.user, kpi=kpi, data=data)
        return services.kpi_create(actor=request.user, data=data)

    return service_form_page(
        request,
        form=KpiForm(request.POST or None, instance=kpi, initial={"stream": request.GET.get("stream")}),
        write=write,
        title=f"Edit KPI {kpi.name}" if kpi else "New KPI",
        cancel_url=reverse("outcomes:kpi-list"),
        redirect_to=lambda saved: reverse("outcomes:kpi-list"),
        message=lambda saved: f"Saved the KPI {saved.name}.",
        context={"history_of": kpi},
    )


@require_POST
def kpi_retire(request, pk):
    kpi = get_object_or_404(Kpi, pk=pk)
    services.kpi_retire(actor=request.user, kpi=kpi)
    messages.success(request, f"Retired the KPI {kpi.name}: it keeps its observations and takes no new ones.")
    return redirect("outcomes:kpi-list")


def observation_list(request):
    filterset = ObservationFilterSet(request.GET, queryset=selectors.observation_list())
    return render(
        request,
        "outcomes/observation_list.html",
        {"filter": filterset, "page": paginate(request, filterset.qs)},
    )


def observation_upload(request):
    form = ObservationUploadForm(request.POST or None, request.FILES or None)
    errors, status = [], 200
    if request.method == "POST" and form.is_valid():
        try:
            result = services.observations_ingest(
                actor=request.user, rows=services.rows_from_csv(form.cleaned_data["file"])
            )
        except services.IngestError as error:
            errors, status = error.errors, 400
        except PayloadTooLarge as error:
            form.add_error("file", str(error.detail))
            status = 413
        else:
            messages.success(request, f"Saved {result.saved} observations (re-sent rows updated).")
            return redirect("outcomes:observation-list")
    return render(
        request,
        "outcomes/observation_upload.html",
        {"form": form, "errors": errors[:200], "error_count": len(errors), "max_rows": MAX_ROWS},
        status=status,
    )
