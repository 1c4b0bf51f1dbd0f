from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.notifications import selectors, services
from apps.notifications.api.serializers import (
    MarkReadSerializer,
    NotificationSerializer,
    PreferenceSerializer,
    WatchSerializer,
)
from apps.notifications.filtersets import NotificationFilterSet
from apps.notifications.models import Notification, Watch

COUNT = inline_serializer("NotificationCount", {"unread": serializers.IntegerField()})
MARKED = inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()})


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your notifications (only yours), unread first: what happened to the requests and models you
    watch, and comments that @mention you."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    queryset = Notification.objects.none()  # for the schema; get_queryset gives the caller's own

    def get_queryset(self):
        return selectors.inbox(self.request.user)

    @extend_schema(responses={200: COUNT})
    @action(detail=False, methods=["get"])
    def unread(self, request):
        """How many of your notifications are unread (the bell's number)."""
        return Response({"unread": selectors.unread_count(request.user)})

    @extend_schema(request=MarkReadSerializer, responses={200: MARKED})
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        """Mark the given notifications, or every unread one, as read."""
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data.get("ids")
        return Response({"marked": services.mark_read(actor=request.user, ids=ids)})


class PreferenceView(APIView):
    """How the portal e-mails you: at once, a daily digest, or not at all."""

    serializer_class = PreferenceSerializer

    @extend_schema(responses={200: PreferenceSerializer})
    def get(self, request):
        return Response({"email": selectors.email_choice(request.user)})

    @extend_schema(request=PreferenceSerializer, responses={200: PreferenceSerializer})
    def put(self, request):
        serializer = PreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preference = services.preference_set(actor=request.user, email=serializer.validated_data["email"])
        return Response({"email": preference.email})


class WatchViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Your explicit choices to watch or mute a request or model (creating one again replaces it;
    deleting one returns to the default: watchers are the filer, the requesting or owning team)."""

    serializer_class = WatchSerializer
    queryset = Watch.objects.none()  # for the schema; get_queryset gives the caller's own

    def get_queryset(self):
        return Watch.objects.filter(user=self.request.user).order_by("-updated_at", "-id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.watch_set(
            actor=self.request.user,
            watching=data.get("watching", Watch._meta.get_field("watching").default),  # optional: watch
            request=data.get("request"),
            model=data.get("model"),
        )
