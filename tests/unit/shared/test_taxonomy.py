"""The practice's taxonomy (ATTUNE_TAXONOMY): the seeds' list by default, a practice's own file otherwise."""
from __future__ import annotations

import json

import pytest

from shared import taxonomy
from shared.config import ConfigError, load


def test_without_a_file_the_taxonomy_is_the_seeds_list_with_labels():
    t = load("availability", {}).taxonomy
    assert t.modality_codes == ("attachment_focused", "eft", "ddp", "mbt", "circle_of_security", "abft")
    assert t.population_codes == ("adults", "couples", "families", "parents", "adolescents", "children")
    assert t.modality_label("eft") == "Emotionally Focused Therapy (EFT)"


def test_a_practice_file_in_yaml_replaces_the_codes_and_labels(tmp_path):
    path = tmp_path / "taxonomy.yaml"
    path.write_text("modalities:\n  - {code: cbt, label: Cognitive Behavioural Therapy (CBT)}\n"
                    "  - {code: ifs, label: Internal Family Systems (IFS)}\n"
                    "  - {code: gottman, label: Gottman Method Couples Therapy}\n"
                    "populations:\n  cpl: Couples\n  ind: Individuals\n")
    t = load("booking", {"ATTUNE_TAXONOMY": str(path)}).taxonomy
    assert t.modality_codes == ("cbt", "ifs", "gottman") and t.population_codes == ("cpl", "ind")
    assert t.modality_label("ifs") == "Internal Family Systems (IFS)" and t.population_label("ind") == "Individuals"
    assert t.as_json()["modalities"][2] == {"code": "gottman", "label": "Gottman Method Couples Therapy"}


@pytest.mark.parametrize("content, reason", [
    ("{", "neither JSON nor YAML"),
    (json.dumps({"modalities": [{"code": "cbt", "label": "CBT"}]}), "populations must be a non-empty list"),
    (json.dumps({"modalities": [{"code": "CBT!", "label": "x"}], "populations": {"a": "A"}}), "modalities[0].code"),
    (json.dumps({"modalities": {"cbt": ""}, "populations": {"a": "A"}}), "modalities[0].label"),
    (json.dumps({"modalities": [{"code": "a", "label": "A"}, {"code": "a", "label": "B"}], "populations": {"a": "A"}}),
     "listed twice"),
])
def test_a_broken_file_stops_the_start_with_an_error_naming_the_variable(tmp_path, content, reason):
    path = tmp_path / "taxonomy.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as raised:
        load("availability", {"ATTUNE_TAXONOMY": str(path)})
    assert raised.value.variable == "ATTUNE_TAXONOMY" and reason in str(raised.value)


def test_a_missing_file_is_a_configuration_error_too(tmp_path):
    with pytest.raises(ConfigError, match="ATTUNE_TAXONOMY cannot be read"):
        load("availability", {"ATTUNE_TAXONOMY": str(tmp_path / "nope.yaml")})


def test_the_validator_outside_an_app_knows_the_seeds_codes():
    check = taxonomy.one_of("modalities")
    check("eft")
    with pytest.raises(Exception, match="Must be one of"):
        check("cbt")


def test_practice_locale_and_email_are_checked():
    assert load("booking", {}).practice_locale == "en-US"
    assert load("booking", {"PRACTICE_LOCALE": "en-GB", "PRACTICE_EMAIL": "hello@practice.test"}).practice_email \
        == "hello@practice.test"
    with pytest.raises(ConfigError, match="PRACTICE_LOCALE"):
        load("booking", {"PRACTICE_LOCALE": "english please"})
    with pytest.raises(ConfigError, match="PRACTICE_EMAIL"):
        load("booking", {"PRACTICE_EMAIL": "not an address"})
