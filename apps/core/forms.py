"""Forms that write through services: the widgets they share, a service's errors shown on the form,
and the create/edit page every area uses (a form whose valid data goes to a service)."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render


class DateInput(forms.DateInput):
    """The browser's date picker; its value must be ISO (yyyy-mm-dd) whatever the display locale."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 (Django's argument name)
        super().__init__(attrs=attrs, format=format)


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def save_form_with(form, write):
    """Validate the form, then call ``write(cleaned_data)``; returns its result or None on errors."""
    if not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def service_form_page(
    request,
    *,
    form,
    write: Callable,
    title: str,
    cancel_url: str,
    redirect_to: Callable = lambda saved: saved,
    message: Callable = lambda saved: f"Saved {saved}.",
    template: str = "core/form.html",
    context: dict | None = None,
):
    """The create/edit page of every area: render ``form`` on GET; on POST validate it, call
    ``write(cleaned_data)`` (a service) and redirect to ``redirect_to(saved)`` with ``message(saved)``,
    or show the form again with the form's and the service's errors on their fields. ``context`` adds
    to the template's (e.g. ``submit_label``, ``history_of``)."""
    if request.method == "POST":
        saved = save_form_with(form, write)
        if saved:
            messages.success(request, message(saved))
            return redirect(redirect_to(saved))
    page = {"form": form, "title": title, "cancel_url": cancel_url, **(context or {})}
    return render(request, template, page)
