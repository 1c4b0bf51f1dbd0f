from django import forms
from django.db.models import Q

from apps.core.forms import DateInput
from apps.core.pagination import whole_number
from apps.modelrequests import hooks, policy, scoring
from apps.modelrequests.models import DELIVERING_TEAM_TYPES, Board, ModelRequest, RequestStatus, SavedView
from apps.modelrequests.services import REQUEST_FIELDS, saved_view_query
from apps.teams.models import Team, ValueStream
from apps.teams.selectors import teams_of_user


class LinksField(forms.CharField):
    """Attachments typed one link per line; validated as http(s) URLs by the model."""

    widget = forms.Textarea(attrs={"rows": 2, "placeholder": "https://wiki.example.com/analysis"})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class StreamTaggedSelect(forms.Select):
    """A select whose options carry ``data-stream``: the value stream of each team (``streams`` maps
    an option's value to a stream id) or of each KPI's group (``group_streams`` maps a group's label
    to its stream id). static/js/request_form.js uses them to refill the stream and the KPI when the
    requesting team changes; without the script the server fills the stream from the team."""

    def __init__(self, *args, streams=None, group_streams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.streams, self.group_streams = streams or {}, group_streams or {}

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        for label, options, _index in groups:
            for option in options:
                stream = self.group_streams.get(label) if label else self.streams.get(str(option["value"]))
                if stream is not None:
                    option["attrs"]["data-stream"] = str(stream)
        return groups


class ModelRequestForm(forms.ModelForm):
    attachments = LinksField(required=False, help_text="Links, one per line (http or https).")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not policy.files_for_every_team(user) and not self.instance.pk:
            # people file requests for their own teams, the first of them preselected
            own = teams_of_user(user=user).order_by("name")
            self.fields["requesting_team"].queryset = own
            first = own.first()
            if first is not None and not self.is_bound:
                self.initial.setdefault("requesting_team", first.pk)
                self.initial.setdefault("value_stream", first.value_stream_id)
        self._limit_delivering_teams()
        self._kpi_choices()
        self._tag_team_streams()
        # name the allowed values of each scored input (the scales are configurable)
        scale = scoring.scales()
        for name, key in [("impact", "impact"), ("confidence", "confidence")] + [
            (name, "wsjf") for name in scoring.WSJF_INPUTS
        ]:
            self.fields[name].help_text = "One of " + ", ".join(f"{value:g}" for value in scale[key]) + "."
        if self.instance.pk and user is not None:
            self._lock_score_fields(user)

    def _limit_delivering_teams(self) -> None:
        """Platform and complicated-subsystem teams deliver; the requesting team itself only through
        the self-service move (kept when the request already has it)."""
        field = self.fields["delivering_team"]
        allowed = Q(team_type__in=DELIVERING_TEAM_TYPES)
        if self.instance.pk:
            allowed |= Q(pk=self.instance.delivering_team_id)
        field.queryset = Team.objects.filter(allowed).order_by("name")
        field.help_text = "A platform or complicated-subsystem team."

    def _tag_team_streams(self) -> None:
        field = self.fields["requesting_team"]
        streams = {str(pk): stream for pk, stream in field.queryset.values_list("pk", "value_stream_id")}
        field.widget = StreamTaggedSelect(streams=streams)
        field.widget.choices = field.choices
        field.widget.attrs["data-fills-stream"] = "id_value_stream"

    def _kpi_choices(self) -> None:
        """The KPI as one of the streams' KPIs, grouped by stream (a stream without KPIs yet keeps
        free text); the value stream may be left empty: it comes from the requesting team."""
        self.fields["value_stream"].required = False
        self.fields["value_stream"].help_text = "Left empty: the requesting team's stream."
        streams = list(ValueStream.objects.order_by("name"))
        self.stream_kpis = hooks.kpis_of_streams(stream.pk for stream in streams)
        groups = [(stream.name, [(n, n) for n in self.stream_kpis.get(stream.pk, [])]) for stream in streams]
        groups = [group for group in groups if group[1]]
        if not groups:
            return
        current = self.instance.kpi if self.instance.pk else ""
        known = {name for _, options in groups for name, _ in options}
        extra = [(current, current)] if current and current not in known else []
        self.fields["kpi"] = forms.ChoiceField(
            label="KPI",
            choices=[("", "---------"), *extra, *groups],
            help_text="One of the value stream's KPIs.",
            widget=StreamTaggedSelect(
                group_streams={stream.name: stream.pk for stream in streams},
                attrs={"data-kpi-of-stream": "id_value_stream"},
            ),
        )

    def clean(self):
        data = super().clean()
        stream = data.get("value_stream") or getattr(data.get("requesting_team"), "value_stream", None)
        kpis = self.stream_kpis.get(stream.pk, []) if stream else []
        kpi = data.get("kpi")
        if stream and kpis and kpi and kpi not in kpis and kpi != self.instance.kpi:
            self.add_error("kpi", f"{kpi} is not a KPI of {stream}: choose one of {', '.join(kpis)}.")
        if stream and not data.get("value_stream"):
            data["value_stream"] = stream
        return data

    def _lock_score_fields(self, user) -> None:
        """Score inputs the user may not set show disabled, saying who may. A browser does not post
        a disabled input, so a locked field not in the post is left out of the form (the stored
        value stays); one posted anyway goes to the service, which refuses it (403, who may)."""
        stored = ModelRequest.objects.select_related(
            "requesting_team", "delivering_team", "value_stream"
        ).get(pk=self.instance.pk)
        roles = policy.roles_of(user)
        for name in policy.SCORE_FIELDS:
            if policy.can_set_score_field(user, stored, name, roles=roles):
                continue
            if self.is_bound and name not in self.data:
                del self.fields[name]
                continue
            self.fields[name].widget.attrs["disabled"] = True
            self.fields[name].help_text = policy.who_may_set(stored, name)

    class Meta:
        model = ModelRequest
        fields = REQUEST_FIELDS
        widgets = {
            "decision_deadline": DateInput,
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "problem_statement",
                    "data_available",
                    "simplest_alternative",
                    "alternative_effect",
                )
            },
        }


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=RequestStatus.choices, label="Move to")
    note = forms.CharField(required=False, max_length=2000)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Comment")


class RankForm(forms.Form):
    """The backlog's form. A row's ↑/↓ button (or the drag-and-drop script) sends
    ``move=<id>:after|before:<other id>``; a row's rank box ``rank-<id>=<n>`` with its Move button
    (``move_to=<id>``) or Enter (the form's first button, ``move_to`` empty: the one filled box)
    moves the request to rank n. The reason goes with either."""

    move = forms.RegexField(regex=r"^\d+:(after|before):\d+$", required=False)
    move_to = forms.IntegerField(min_value=1, required=False)
    reason = forms.CharField(max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("move"):
            request_id, where, other = data["move"].split(":")
            data["target"] = (int(request_id), where, int(other))
            return data
        typed = {
            key.removeprefix("rank-"): value
            for key, value in self.data.items()
            if key.startswith("rank-") and value.strip()
        }
        row = str(data["move_to"]) if data.get("move_to") else next(iter(typed), None)
        if row is None or (not data.get("move_to") and len(typed) > 1):
            raise forms.ValidationError("Type the new rank in one row's box, then press Move (or Enter).")
        rank, request_id = whole_number(typed.get(row)), whole_number(row)
        if rank is None or request_id is None:
            raise forms.ValidationError(f"Give #{row} a rank: a whole number from 1.")
        data["target"] = (request_id, "position", rank)
        return data


class BoardForm(forms.ModelForm):
    """The backlog page switches the team's default method; per-column WIP limits are set in the admin."""

    class Meta:
        model = Board
        fields = ["scoring_method"]


class SavedViewForm(forms.ModelForm):
    """Save or edit a named set of filters (the page's query string, checked by the service)."""

    class Meta:
        model = SavedView
        fields = ["name", "kind", "query", "shared"]
        labels = {"shared": "Share with everyone signed in"}

    def clean(self):
        """The filters checked as the service will (the admin shows the problems on the form)."""
        data = super().clean()
        if "query" in data and data.get("kind"):
            try:
                data["query"] = saved_view_query(kind=data["kind"], query=data["query"] or "")
            except forms.ValidationError as error:
                self.add_error("query", error.message_dict["query"])
        return data
