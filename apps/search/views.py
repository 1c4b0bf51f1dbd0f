from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.search.forms import SearchForm
from apps.search.selectors import search

SUGGESTIONS_PER_KIND = 3
RESULTS_PER_KIND = 20


@login_required
@require_GET
def results(request):
    form = SearchForm(request.GET or None)
    groups = (
        search(query=form.cleaned_data["q"], kinds=form.kinds(), limit=RESULTS_PER_KIND)
        if (form.is_valid())
        else []
    )
    return render(request, "search/results.html", {"form": form, "groups": groups})


@login_required
@require_GET
def suggestions(request):
    """The header box's dropdown: a fragment the page inserts as it is."""
    form = SearchForm(request.GET)
    groups = search(query=form.cleaned_data["q"], limit=SUGGESTIONS_PER_KIND) if form.is_valid() else []
    return render(request, "search/suggestions.html", {"form": form, "groups": groups})
