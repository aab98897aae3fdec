"""shared.web.unusable_json: the one check every service runs on a JSON body before any view reads it."""
from __future__ import annotations

import pytest

from shared.web import MAX_JSON_DEPTH, unusable_json


@pytest.mark.parametrize(("body", "reason"), [
    (b"[" * 5000 + b"]" * 5000, "nested"),
    (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), "nested"),
    (b'{"n": ' + b"9" * 4301 + b"}", "4300 digits"),
    (b'{"n": 1e309}', "out of range"),
    (b'{"n": NaN}', "NaN is not JSON"),
    (b'{"n": -Infinity}', "Infinity is not JSON"),
    (b'{"name": "a\\ud800b"}', "surrogate"),
    (b'{"\\udfff": 1}', "surrogate"),
    (b'{"name": "\xff"}', "Not valid JSON"),
    (b'{"name": ', "Not valid JSON"),
])
def test_a_body_no_service_could_use_is_refused_with_its_reason(body, reason):
    assert reason in (unusable_json(body) or "")


@pytest.mark.parametrize("body", [
    b'{"name": "Zo\\u00eb \\ud83d\\ude00", "n": 9223372036854775807, "x": 1.5e300}',
    b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH,
    b"null",
])
def test_ordinary_json_passes_including_paired_surrogates_and_large_finite_numbers(body):
    assert unusable_json(body) is None
