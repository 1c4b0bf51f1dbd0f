"""Password sign-in (Django's ModelBackend) for people only: a service account has no usable password,
and even one set by hand in the admin does not sign it in. It authenticates with tokens alone."""

from django.contrib.auth.backends import ModelBackend

from apps.accounts.models import ServiceAccount


class PeopleModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and ServiceAccount.objects.filter(user=user).exists():
            return None
        return user
