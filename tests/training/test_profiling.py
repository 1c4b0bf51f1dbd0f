"""Schema inference: types, missing share, distinct counts, examples, summaries, preview."""

import numpy as np
import pytest

from apps.training.engine import infer_task
from tests.training.helpers import upload

pytestmark = pytest.mark.django_db

CSV = """id,price,colour,active,label,notes
1,9.5,red,true,yes,
2,10,blue,false,no,hello
3,,red,TRUE,yes,
4,12.25,,false,no,world
5,8,green,true,maybe,
"""


def test_schema_is_inferred_per_column(team, scientist):
    dataset = upload(actor=scientist, team=team, name="shop", content=CSV)
    assert dataset.status == "ready" and dataset.row_count == 5 and dataset.progress == 100
    columns = {column["name"]: column for column in dataset.schema}
    assert [c["name"] for c in dataset.schema] == ["id", "price", "colour", "active", "label", "notes"]
    assert {name: column["type"] for name, column in columns.items()} == {
        "id": "integer",
        "price": "number",
        "colour": "string",
        "active": "boolean",
        "label": "string",
        "notes": "string",
    }
    assert columns["price"]["missing_share"] == 0.2
    assert columns["notes"]["missing_share"] == 0.6
    assert columns["colour"]["distinct_count"] == 3
    assert columns["label"]["examples"] == ["yes", "no", "maybe"]
    prices = [9.5, 10, 12.25, 8]
    assert columns["price"]["summary"] == {
        "count": 4,
        "mean": pytest.approx(np.mean(prices)),
        "std": pytest.approx(np.std(prices), abs=1e-6),
        "min": 8.0,
        "max": 12.25,
    }
    assert columns["colour"]["summary"]["top"][0] == {"value": "red", "count": 2}
    assert dataset.preview[0] == ["1", "9.5", "red", "true", "yes", ""]
    assert len(dataset.preview) == 5


def test_task_inference_from_the_target_column():
    assert infer_task({"type": "string", "distinct_count": 3}) == "classification"
    assert infer_task({"type": "boolean", "distinct_count": 2}) == "classification"
    assert infer_task({"type": "integer", "distinct_count": 5}) == "classification"
    assert infer_task({"type": "integer", "distinct_count": 300}) == "regression"
    assert infer_task({"type": "number", "distinct_count": 4}) == "regression"
