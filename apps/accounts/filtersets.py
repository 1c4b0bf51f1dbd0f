import django_filters
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import ApiToken, ServiceAccount
from apps.core.filters import PortalFilterSet, YesNoFilter


class TokenFilterSet(PortalFilterSet):
    user = django_filters.CharFilter(field_name="user__username", label="Owner (username)")
    read_only = YesNoFilter(label="Read-only")
    expired = YesNoFilter(method="filter_expired", label="Expired")

    class Meta:
        model = ApiToken
        fields = ["user", "read_only", "expired"]

    def filter_expired(self, queryset, name, value):
        if value is None:
            return queryset
        past = Q(expiry__lte=timezone.now())
        return queryset.filter(past) if value else queryset.exclude(past)


class ServiceAccountFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Username or description contains")
    team = django_filters.CharFilter(field_name="team__slug", label="Team (slug)")
    is_active = YesNoFilter(field_name="user__is_active", label="Active")

    class Meta:
        model = ServiceAccount
        fields = ["q", "team", "is_active"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(user__username__icontains=value) | Q(description__icontains=value))


class UserFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Username, name or e-mail contains")
    is_active = YesNoFilter(label="Active")
    team = django_filters.CharFilter(field_name="memberships__team__slug", label="Member of team (slug)")
    is_staff = YesNoFilter(label="Platform staff")
    service_account = YesNoFilter(
        field_name="service_account", lookup_expr="isnull", exclude=True, label="Service account"
    )

    class Meta:
        model = get_user_model()
        fields = ["q", "is_active", "team", "is_staff", "service_account"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )


class LockoutFilterSet(PortalFilterSet):
    username = django_filters.CharFilter(label="Username")
    ip_address = django_filters.CharFilter(label="Address")

    class Meta:
        model = AccessAttempt
        fields = ["username", "ip_address"]
