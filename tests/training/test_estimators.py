"""Hyperparameters are validated against each estimator's own spec; errors name the parameter."""

import pytest
from django.core.exceptions import ValidationError

from apps.training.estimators import CATALOGUE, build_estimator, validate_parameters


def messages(error):
    return " ".join(error.value.message_dict["parameters"])


def test_catalogue_covers_the_required_estimators():
    assert {
        "logistic_regression",
        "ridge",
        "linear_regression",
        "random_forest",
        "hist_gradient_boosting",
        "knn",
    } <= set(CATALOGUE)


def test_valid_parameters_are_typed():
    assert validate_parameters(
        "random_forest", "classification", {"n_estimators": 50.0, "max_depth": None}
    ) == {
        "n_estimators": 50,
        "max_depth": None,
    }
    assert validate_parameters("logistic_regression", "classification", {"class_weight": "balanced"})


@pytest.mark.parametrize(
    ("estimator", "task", "parameters", "expected"),
    [
        ("random_forest", "classification", {"n_trees": 5}, "Unknown parameter 'n_trees' for Random forest"),
        ("random_forest", "classification", {"n_estimators": 0}, "n_estimators: must be between 1 and 1000"),
        ("random_forest", "classification", {"n_estimators": 2.5}, "n_estimators: must be an integer"),
        ("knn", "regression", {"weights": "heavy"}, "weights: must be one of uniform, distance"),
        ("logistic_regression", "classification", {"C": "big"}, "C: must be a number"),
        ("linear_regression", "regression", {"fit_intercept": "yes"}, "fit_intercept: must be true or false"),
        (
            "hist_gradient_boosting",
            "regression",
            {"learning_rate": 5},
            "learning_rate: must be between 0.001 and 1",
        ),
    ],
)
def test_bad_parameters_are_named(estimator, task, parameters, expected):
    with pytest.raises(ValidationError) as error:
        validate_parameters(estimator, task, parameters)
    assert expected in messages(error)


def test_every_bad_parameter_is_reported_at_once():
    with pytest.raises(ValidationError) as error:
        validate_parameters("knn", "classification", {"n_neighbors": 0, "leaf": 3})
    assert "n_neighbors" in messages(error) and "'leaf'" in messages(error)


def test_unknown_estimator_and_wrong_task():
    with pytest.raises(ValidationError, match="Unknown estimator 'svm'"):
        validate_parameters("svm", "classification", {})
    with pytest.raises(ValidationError, match="does not do classification"):
        validate_parameters("ridge", "classification", {})


def test_defaults_and_seed_reach_the_estimator():
    model = build_estimator("random_forest", "regression", {"n_estimators": 7}, seed=3)
    assert (model.n_estimators, model.random_state, model.n_jobs) == (7, 3, 1)
