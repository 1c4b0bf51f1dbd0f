from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.core.forms import service_form_page
from apps.core.policy import ensure
from apps.webhooks import selectors, services
from apps.webhooks.filtersets import DeliveryFilterSet
from apps.webhooks.forms import SubscriptionForm

DELIVERIES_PER_PAGE = 25


def subscription_list(request):
    subscriptions = selectors.subscription_list()
    managed = selectors.managed_team_ids(request.user)
    return render(
        request,
        "webhooks/subscription_list.html",
        {"subscriptions": subscriptions, "can_create": managed is None or bool(managed)},
    )


def subscription_detail(request, pk):
    subscription = get_object_or_404(selectors.subscription_list(), pk=pk)
    deliveries = DeliveryFilterSet(
        request.GET, queryset=selectors.delivery_list().filter(subscription=subscription)
    )
    page = Paginator(deliveries.qs, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/subscription_detail.html",
        {
            "subscription": subscription,
            "filter": deliveries,
            "page": page,
            "can_manage": selectors.can_manage(request.user, subscription),
        },
    )


def subscription_form(request, pk=None):
    subscription = get_object_or_404(selectors.subscription_list(), pk=pk) if pk else None
    if subscription:
        ensure(request.user, "webhooks.manage_webhooks", subscription.team)

    def write(data):
        if subscription:
            return services.subscription_update(actor=request.user, subscription=subscription, data=data)
        return services.subscription_create(actor=request.user, data=data)

    return service_form_page(
        request,
        form=SubscriptionForm(request.POST or None, instance=subscription, user=request.user),
        write=write,
        title=f"Edit webhook {subscription.name}" if subscription else "New webhook",
        cancel_url=subscription.get_absolute_url() if subscription else "/webhooks/",
    )


def _act_on(request, pk, act, message: str):
    subscription = get_object_or_404(selectors.subscription_list(), pk=pk)
    act(actor=request.user, subscription=subscription)
    messages.success(request, message)
    return redirect(subscription)


@require_POST
def subscription_test(request, pk):
    return _act_on(
        request, pk, services.delivery_send_test, "Test event queued; its delivery appears below in a moment."
    )


@require_POST
def subscription_toggle(request, pk):
    def toggle(*, actor, subscription):
        services.subscription_update(
            actor=actor, subscription=subscription, data={"is_active": not subscription.is_active}
        )

    return _act_on(request, pk, toggle, "Webhook enabled or disabled as asked; its state shows below.")


@require_POST
def subscription_rotate_secret(request, pk):
    return _act_on(
        request,
        pk,
        services.subscription_rotate_secret,
        "New signing secret made; switch your receiver to it.",
    )


@require_POST
def delivery_redeliver(request, pk):
    delivery = get_object_or_404(selectors.delivery_list(), pk=pk)
    services.delivery_redeliver(actor=request.user, delivery=delivery)
    messages.success(request, "Redelivery queued; it appears below in a moment.")
    return redirect(delivery.subscription)
