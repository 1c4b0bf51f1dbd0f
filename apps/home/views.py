from django.shortcuts import render

from apps.home import selectors


def home(request):
    """The first page after signing in: what waits for this person, by their roles."""
    return render(request, "home/home.html", selectors.role_home(user=request.user))
