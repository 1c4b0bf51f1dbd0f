from django import forms

from apps.search.kinds import KINDS
from apps.search.selectors import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", max_length=MAX_QUERY_LENGTH, strip=True)
    kind = forms.ChoiceField(
        label="Only", required=False, choices=[("", "Everything")] + [(k.key, k.label) for k in KINDS]
    )

    def kinds(self) -> tuple[str, ...] | None:
        kind = self.cleaned_data.get("kind")
        return (kind,) if kind else None
