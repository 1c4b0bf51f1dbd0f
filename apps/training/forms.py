"""Browser forms. They only collect input; the services validate and write."""

from django import forms

from apps.core.policy import allowed, who_can
from apps.registry.models import Task
from apps.training import selectors
from apps.training.estimators import CATALOGUE, Param
from apps.training.models import DatasetVersion

NONE_CHOICE = "__none__"


class DatasetUploadForm(forms.Form):
    team = forms.ModelChoiceField(queryset=None, help_text="The team that owns the dataset.")
    name = forms.CharField(
        max_length=120, help_text="Uploading again under the same name adds a new version of that dataset."
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    file = forms.FileField(
        help_text="A UTF-8 CSV file with a header row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectors.teams_for_upload(user=user)


def parameter_field_name(estimator: str, param: str) -> str:
    return f"param__{estimator}__{param}"


def parameter_field(param: Param) -> forms.Field:
    attrs = {"data-param": param.name}
    common = {"required": False, "label": param.name, "help_text": param.help}
    if param.kind == "bool":
        return forms.BooleanField(initial=param.default, widget=forms.CheckboxInput(attrs=attrs), **common)
    if param.kind == "choice":
        choices = [
            (NONE_CHOICE if choice is None else str(choice), "(none)" if choice is None else str(choice))
            for choice in param.choices
        ]
        initial = NONE_CHOICE if param.default is None else str(param.default)
        return forms.ChoiceField(choices=choices, initial=initial, widget=forms.Select(attrs=attrs), **common)
    attrs |= {"min": param.low, "max": param.high, "step": "1" if param.kind == "int" else "any"}
    field = forms.IntegerField if param.kind == "int" else forms.FloatField
    placeholder = "(none)" if param.default is None else str(param.default)
    return field(
        initial=param.default, widget=forms.NumberInput(attrs=attrs | {"placeholder": placeholder}), **common
    )


def parameter_value(param: Param, raw):
    """The form's value as the catalogue expects it (choices back to their typed value)."""
    if param.kind == "choice":
        return next(
            (choice for choice in param.choices if (NONE_CHOICE if choice is None else str(choice)) == raw),
            raw,
        )
    return raw


class TrainingJobForm(forms.Form):
    dataset_version = forms.ModelChoiceField(queryset=DatasetVersion.objects.none(), label="Dataset")
    target = forms.ChoiceField(help_text="The column to predict.")
    features = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, help_text="None ticked: every other column."
    )
    task = forms.ChoiceField(
        choices=[("", "Infer from the target"), *Task.choices],
        required=False,
        help_text="Text, true/false and whole numbers with few values: classification; other numbers: "
        "regression.",
    )
    estimator = forms.ChoiceField(choices=[(spec.key, spec.label) for spec in CATALOGUE.values()])
    cv_folds = forms.IntegerField(
        initial=5, min_value=0, max_value=20, label="Cross-validation folds", help_text="0: holdout only."
    )
    holdout_share = forms.FloatField(
        initial=0.2,
        min_value=0.05,
        max_value=0.5,
        help_text="Share of rows kept aside for the final evaluation.",
    )
    seed = forms.IntegerField(initial=42, min_value=0)
    search_budget = forms.IntegerField(
        initial=0,
        min_value=0,
        max_value=100,
        label="Randomised search budget",
        help_text="Candidates to try (0: no search).",
    )
    time_limit_seconds = forms.IntegerField(initial=1800, min_value=1, label="Time limit (seconds)")
    registered_model = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="— none —",
        label="Register as a version of",
        help_text="Or name a new model below; with neither, the job trains without registering.",
    )
    new_model_name = forms.CharField(max_length=120, required=False, label="New model name")
    new_model_slug = forms.SlugField(max_length=120, required=False, label="New model slug")
    model_request = forms.IntegerField(
        required=False,
        min_value=1,
        label="For model request #",
        help_text="The accepted model request this job answers (its number): it moves to in progress when "
        "the job starts, and its model is the one this job registers.",
    )

    def __init__(
        self, *args, user, dataset: DatasetVersion | None, for_request: dict | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.dataset = dataset
        self.for_request = for_request
        self.fields["dataset_version"].queryset = selectors.datasets_for_training(user=user)
        columns = [(name, name) for name in (dataset.column_names if dataset else [])]
        self.fields["target"].choices = columns
        self.fields["features"].choices = columns
        self.fields["registered_model"].queryset = (
            selectors.models_of_team(team=dataset.team) if dataset else selectors.models_of_team(team=None)
        )
        if dataset and not allowed(user, "registry.register_model", dataset.team):  # said upfront
            who = who_can("registry.register_model", dataset.team)
            self.fields["new_model_slug"].help_text = f"New models are registered by {who}."
        if dataset:
            self.initial.setdefault("dataset_version", dataset.pk)
            target = self.initial.setdefault("target", dataset.column_names[-1])
            self.initial.setdefault("features", [name for name in dataset.column_names if name != target])
        for spec in CATALOGUE.values():
            for param in spec.params:
                self.fields[parameter_field_name(spec.key, param.name)] = parameter_field(param)
        if for_request:
            self._fill_from_request(for_request)

    def _fill_from_request(self, found: dict) -> None:
        """ "Train for this request": the request named, and its model (else a new one after it)."""
        self.initial.setdefault("model_request", found["id"])
        model = self.fields["registered_model"].queryset.filter(pk=found["registered_model_id"]).first()
        if model is not None:
            self.initial.setdefault("registered_model", model.pk)
        elif not found["registered_model_id"]:
            self.initial.setdefault("new_model_name", found["title"][:120])

    def estimator_groups(self):
        """(spec, bound fields) per estimator, for the template's fieldsets."""
        return [
            (spec, [self[parameter_field_name(spec.key, param.name)] for param in spec.params])
            for spec in CATALOGUE.values()
        ]

    def base_fields_in_order(self):
        return [self[name] for name in ("dataset_version", "target", "features", "task", "estimator")]

    def evaluation_fields(self):
        return [
            self[name]
            for name in ("cv_folds", "holdout_share", "seed", "search_budget", "time_limit_seconds")
        ]

    def registry_fields(self):
        return [
            self[name] for name in ("model_request", "registered_model", "new_model_name", "new_model_slug")
        ]

    def service_data(self) -> dict:
        data = self.cleaned_data
        spec = CATALOGUE[data["estimator"]]
        parameters = {}
        for param in spec.params:
            raw = data.get(parameter_field_name(spec.key, param.name))
            if raw is None or raw == "":
                continue
            parameters[param.name] = parameter_value(param, raw)
        payload = {
            "dataset_version": data["dataset_version"],
            "target": data["target"],
            "features": data["features"] or None,
            "task": data["task"] or None,
            "estimator": spec.key,
            "parameters": parameters,
            "registered_model": data["registered_model"],
            "model_request": data.get("model_request"),
            **{
                name: data[name]
                for name in ("cv_folds", "holdout_share", "seed", "search_budget", "time_limit_seconds")
            },
        }
        if data["new_model_name"] or data["new_model_slug"]:
            payload["new_model"] = {"name": data["new_model_name"], "slug": data["new_model_slug"]}
        return payload


def _names(text: str) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


class ExternalVersionForm(forms.Form):
    """Register a version trained elsewhere; the service checks the artefact and queues its evaluation."""

    registered_model = forms.ModelChoiceField(queryset=None, help_text="The model the version belongs to.")
    artefact = forms.FileField(
        help_text="A skops file of a scikit-learn-compatible pipeline, or an ONNX model "
        "(converted with skl2onnx or exported by any framework).",
        widget=forms.ClearableFileInput(attrs={"accept": ".skops,.onnx"}),
    )
    dataset_version = forms.ModelChoiceField(
        queryset=None, help_text="The dataset to judge it on: its holdout split, with the baselines."
    )
    target = forms.CharField(max_length=200, help_text="The target column of that dataset.")
    features = forms.CharField(
        required=False,
        help_text="Input columns in the order the model takes them, comma-separated; empty: every "
        "column but the target. Types are the dataset's.",
    )
    classes = forms.CharField(
        required=False,
        help_text="Only for an ONNX graph that names no class labels: its probability columns' labels, "
        "comma-separated, in order.",
    )
    source_repository = forms.CharField(max_length=300, required=False, label="Code repository")
    source_commit = forms.CharField(max_length=64, required=False, label="Commit")
    training_data = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Training data description"
    )
    parameters = forms.JSONField(
        required=False,
        initial=dict,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='Training parameters as JSON, e.g. {"C": 0.5}.',
    )
    framework = forms.CharField(max_length=60, required=False, help_text="e.g. scikit-learn, PyTorch.")
    framework_version = forms.CharField(max_length=40, required=False)
    seed = forms.IntegerField(required=False, initial=42, help_text="Seed of the holdout split.")
    holdout_share = forms.FloatField(required=False, initial=0.2, help_text="Share of rows held out.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registered_model"].queryset = selectors.models_for_registration(user=user)
        self.fields["dataset_version"].queryset = selectors.datasets_for_training(user=user)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["features"] = _names(data["features"])
        data["classes"] = _names(data["classes"])
        return {key: value for key, value in data.items() if value not in (None, "")}
