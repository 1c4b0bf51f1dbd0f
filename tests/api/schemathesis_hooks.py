"""Schemathesis hooks for tests/api/test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

- The coverage phase generates every case the schema defines (20,000+ for this API, 10+ minutes per
  login); it keeps here the first ``SCHEMATHESIS_COVERAGE_PER_SCENARIO`` cases (3) of each scenario
  (missing property, wrong type, bound, unexpected method...) per operation and parameter location,
  so every operation meets every kind of case in a bounded run. The generation is deterministic, so
  every run keeps the same cases.
- YAML answers are multi-document (the Backstage catalogue, ``?output=yaml``): they are read as the
  list of their documents, which is what the schema declares.
"""

import os
from collections import Counter

import schemathesis
import yaml
from schemathesis.core import media_types

PER_SCENARIO = int(os.environ.get("SCHEMATHESIS_COVERAGE_PER_SCENARIO", "3"))
_kept: Counter = Counter()


@schemathesis.hook
def filter_case(context, case) -> bool:
    meta = case._meta
    if meta is None or meta.phase.name != "coverage":
        return True
    data = meta.phase.data
    key = (case.operation.label, data.scenario, data.parameter_location)
    _kept[key] += 1
    return _kept[key] <= PER_SCENARIO


@schemathesis.deserializer(*media_types.YAML_MEDIA_TYPES, "application/yaml")
def multi_document_yaml(context, response):
    return list(yaml.safe_load_all(response.content.decode(response.encoding or "utf-8")))
