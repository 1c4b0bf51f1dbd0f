"""The create/edit page every area uses: a form whose valid data goes to a service."""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect, render

from apps.core.forms import save_form_with


def service_form_page(
    request,
    *,
    form,
    write: Callable,
    title: str,
    cancel_url: str,
    redirect_to: Callable = lambda saved: saved,
):
    """Render ``form`` on GET; on POST call ``write(cleaned_data)`` and redirect to the saved object,
    or show the form again with the service's errors on their fields."""
    if request.method == "POST":
        saved = save_form_with(form, write)
        if saved:
            messages.success(request, f"Saved {saved}.")
            return redirect(redirect_to(saved))
    return render(request, "core/form.html", {"form": form, "title": title, "cancel_url": cancel_url})
