"""API behaviour shared by every app: the viewset that writes through services."""


class ServiceViewSetMixin:
    """A ModelViewSet whose writes go through the app's service functions.

    Set ``create_service``, ``update_service`` and ``delete_service`` to the service callables; each
    is called with ``actor=request.user`` plus ``data=validated_data`` (and the instance by name).
    """

    create_service = None
    update_service = None
    delete_service = None
    instance_kwarg = "instance"

    def perform_create(self, serializer):
        serializer.instance = self._as_listed(
            type(self).create_service(actor=self.request.user, data=serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = self._as_listed(
            type(self).update_service(
                actor=self.request.user,
                data=serializer.validated_data,
                **{self.instance_kwarg: serializer.instance},
            )
        )

    def _as_listed(self, instance):
        """The written row read back through the viewset's queryset, so the answer carries the same
        fields (counts and other annotations) as a read of it."""
        return self.get_queryset().filter(pk=instance.pk).first() or instance

    def perform_destroy(self, instance):
        type(self).delete_service(actor=self.request.user, **{self.instance_kwarg: instance})
