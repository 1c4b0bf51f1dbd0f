"""The curated estimator catalogue: which scikit-learn estimators a team may train, for which task,
with which hyperparameters (type, range or choices, default) and how a randomised search samples them.
Anything not in a spec is refused with a message naming it."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from scipy import stats
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

CLASSIFICATION = "classification"
REGRESSION = "regression"


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "int", "float", "choice", "bool"
    default: object
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    nullable: bool = False
    log: bool = False  # sample on a log scale in randomised search
    help: str = ""
    search_range: tuple | None = None  # narrower than (low, high) where the full range is wasteful

    def validate(self, value):
        if value is None:
            if self.nullable:
                return None
            raise ValueError("must not be empty")
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError("must be true or false")
            return value
        if self.kind == "choice":
            if value not in self.choices:
                raise ValueError(f"must be one of {', '.join(map(str, self.choices))}")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be {'an integer' if self.kind == 'int' else 'a number'}")
        if self.kind == "int":
            if float(value) != int(value):
                raise ValueError("must be an integer")
            value = int(value)
        else:
            value = float(value)
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise ValueError(f"must be between {self.low:g} and {self.high:g}")
        return value

    def distribution(self):
        """What randomised search samples for this parameter."""
        if self.kind in ("choice", "bool"):
            return list(self.choices) if self.kind == "choice" else [True, False]
        low, high = self.search_range or (self.low, self.high)
        if self.kind == "int":
            return stats.randint(int(low), int(high) + 1)
        if self.log:
            return stats.loguniform(max(low, 1e-6), high)
        return stats.uniform(low, high - low)

    def describe(self) -> dict:
        spec = {"name": self.name, "type": self.kind, "default": self.default, "nullable": self.nullable}
        if self.kind in ("int", "float"):
            spec |= {"min": self.low, "max": self.high}
        if self.kind == "choice":
            spec["choices"] = list(self.choices)
        if self.help:
            spec["help"] = self.help
        return spec


@dataclass(frozen=True)
class EstimatorSpec:
    key: str
    label: str
    builders: dict[str, Callable]  # task -> estimator class
    params: tuple[Param, ...] = ()
    fixed: dict = field(default_factory=dict)  # passed to the class, not user-settable
    seeded: bool = False  # takes random_state
    searchable: tuple[str, ...] = ()

    @property
    def tasks(self) -> list[str]:
        return list(self.builders)

    def param(self, name: str) -> Param | None:
        return next((param for param in self.params if param.name == name), None)

    def describe(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "tasks": self.tasks,
            "parameters": [param.describe() for param in self.params],
            "searchable": list(self.searchable),
        }


_N_ESTIMATORS = Param("n_estimators", "int", 100, 1, 1000, help="Trees in the forest.")
_MAX_DEPTH = Param(
    "max_depth", "int", None, 1, 100, nullable=True, help="Empty: no limit.", search_range=(2, 30)
)
_MIN_LEAF = Param("min_samples_leaf", "int", 1, 1, 1000, search_range=(1, 50))
_NEIGHBOURS = Param("n_neighbors", "int", 5, 1, 200, search_range=(1, 50))
_WEIGHTS = Param("weights", "choice", "uniform", choices=("uniform", "distance"))

CATALOGUE: dict[str, EstimatorSpec] = {
    spec.key: spec
    for spec in (
        EstimatorSpec(
            "logistic_regression",
            "Logistic regression",
            {CLASSIFICATION: LogisticRegression},
            (
                Param(
                    "C",
                    "float",
                    1.0,
                    1e-4,
                    1e4,
                    log=True,
                    help="Inverse regularisation strength.",
                    search_range=(1e-3, 1e3),
                ),
                Param("max_iter", "int", 1000, 50, 10000),
                Param("class_weight", "choice", None, choices=(None, "balanced"), nullable=True),
            ),
            searchable=("C", "class_weight"),
        ),
        EstimatorSpec(
            "ridge",
            "Ridge regression",
            {REGRESSION: Ridge},
            (
                Param(
                    "alpha",
                    "float",
                    1.0,
                    0.0,
                    1e6,
                    log=True,
                    help="L2 regularisation strength.",
                    search_range=(1e-3, 1e3),
                ),
            ),
            searchable=("alpha",),
        ),
        EstimatorSpec(
            "linear_regression",
            "Linear regression",
            {REGRESSION: LinearRegression},
            (Param("fit_intercept", "bool", True),),
        ),
        EstimatorSpec(
            "random_forest",
            "Random forest",
            {CLASSIFICATION: RandomForestClassifier, REGRESSION: RandomForestRegressor},
            (
                _N_ESTIMATORS,
                _MAX_DEPTH,
                _MIN_LEAF,
                Param("max_features", "choice", "sqrt", choices=("sqrt", "log2", 1.0)),
            ),
            fixed={"n_jobs": 1},
            seeded=True,
            searchable=("max_depth", "min_samples_leaf", "max_features"),
        ),
        EstimatorSpec(
            "hist_gradient_boosting",
            "Histogram gradient boosting",
            {CLASSIFICATION: HistGradientBoostingClassifier, REGRESSION: HistGradientBoostingRegressor},
            (
                Param("learning_rate", "float", 0.1, 0.001, 1.0, log=True),
                Param("max_iter", "int", 100, 1, 2000, help="Boosting iterations."),
                Param("max_leaf_nodes", "int", 31, 2, 1000, search_range=(8, 128)),
                _MAX_DEPTH,
                Param("l2_regularization", "float", 0.0, 0.0, 1000.0, search_range=(0.0, 10.0)),
            ),
            fixed={"early_stopping": False},
            seeded=True,
            searchable=("learning_rate", "max_leaf_nodes", "l2_regularization"),
        ),
        EstimatorSpec(
            "knn",
            "k-nearest neighbours",
            {CLASSIFICATION: KNeighborsClassifier, REGRESSION: KNeighborsRegressor},
            (_NEIGHBOURS, _WEIGHTS),
            searchable=("n_neighbors", "weights"),
        ),
    )
}


def estimator_choices(task: str | None = None) -> list[tuple[str, str]]:
    return [(spec.key, spec.label) for spec in CATALOGUE.values() if task is None or task in spec.builders]


def get_spec(key: str, *, field_name: str = "estimator") -> EstimatorSpec:
    try:
        return CATALOGUE[key]
    except KeyError:
        raise ValidationError(
            {field_name: f"Unknown estimator {key!r}. Choose one of: {', '.join(CATALOGUE)}."}
        ) from None


def validate_parameters(key: str, task: str, parameters: dict | None) -> dict:
    """The parameters as the estimator will get them, or a ValidationError naming each bad one."""
    spec = get_spec(key)
    if task not in spec.builders:
        raise ValidationError(
            {"estimator": f"{spec.label} does not do {task}; it does {', '.join(spec.tasks)}."}
        )
    parameters = parameters or {}
    if not isinstance(parameters, dict):
        raise ValidationError({"parameters": "Send an object mapping parameter names to values."})
    problems = []
    cleaned = {}
    allowed = ", ".join(param.name for param in spec.params) or "none"
    for name, value in parameters.items():
        param = spec.param(name)
        if param is None:
            problems.append(f"Unknown parameter {name!r} for {spec.label}; allowed: {allowed}.")
            continue
        try:
            cleaned[name] = param.validate(value)
        except ValueError as exc:
            problems.append(f"{name}: {exc} (got {value!r}).")
    if problems:
        raise ValidationError({"parameters": problems})
    return cleaned


def effective_parameters(key: str, parameters: dict) -> dict:
    """Every catalogue parameter with the value the estimator gets (defaults filled in)."""
    return {param.name: param.default for param in get_spec(key).params} | parameters


def build_estimator(key: str, task: str, parameters: dict, *, seed: int):
    spec = get_spec(key)
    values = effective_parameters(key, parameters) | spec.fixed
    if spec.seeded:
        values["random_state"] = seed
    return spec.builders[task](**values)


def search_space(key: str, *, fixed: dict, step: str = "model") -> dict:
    """Distributions for the searchable parameters the user did not fix."""
    spec = get_spec(key)
    return {
        f"{step}__{name}": spec.param(name).distribution() for name in spec.searchable if name not in fixed
    }
