"""Filter widgets every app's filtersets share."""

from django import forms


class AnyYesNo(forms.Select):
    """A yes/no filter whose empty choice reads "Any" (django-filter's default says "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", "Any"), ("true", "Yes"), ("false", "No")])
