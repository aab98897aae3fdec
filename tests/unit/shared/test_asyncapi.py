"""docs/asyncapi.yaml is generated from the event schemas: it matches them, and it describes reality."""
from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from shared import asyncapi
from shared.events import EVENT_TYPES, parse
from tests.conftest import ROOT

COMMITTED = ROOT / "docs" / "asyncapi.yaml"


@pytest.fixture(scope="module")
def doc() -> dict:
    return yaml.safe_load(asyncapi.render())


def test_the_committed_document_is_the_generated_one():
    assert COMMITTED.read_text() == asyncapi.render(), "docs/asyncapi.yaml is stale: run `attune asyncapi`"


def test_it_is_an_asyncapi_3_document_with_info_and_an_amqp_server(doc):
    assert doc["asyncapi"].startswith("3.")
    assert doc["info"]["title"] and doc["info"]["version"]
    assert {s["protocol"] for s in doc["servers"].values()} == {"amqp"}
    assert set(doc) <= {"asyncapi", "id", "info", "servers", "defaultContentType", "channels", "operations",
                        "components"}


def test_every_event_type_is_a_routing_key_channel_on_the_durable_topic_exchange(doc):
    assert set(doc["channels"]) == set(EVENT_TYPES)
    for type_, channel in doc["channels"].items():
        amqp = channel["bindings"]["amqp"]
        assert channel["address"] == type_ and amqp["is"] == "routingKey"
        assert amqp["exchange"].items() >= {"name": "attune.events", "type": "topic", "durable": True}.items()


def test_every_channel_has_a_receive_operation_and_a_message_with_a_payload(doc):
    operations = {op["channel"]["$ref"]: op for op in doc["operations"].values()}
    for type_ in EVENT_TYPES:
        op = operations[f"#/channels/{type_}"]
        assert op["action"] == "receive" and op["messages"]
        message = doc["components"]["messages"][type_]
        assert message["contentType"] == "application/cloudevents+json" and message["payload"]


def test_every_reference_resolves(doc):
    refs = []

    def walk(node):
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert refs
    for ref in refs:
        target = doc
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert isinstance(target, dict), ref


def validator(doc, type_):
    schema = {"$ref": f"#/components/messages/{type_}/payload", "components": doc["components"]}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_each_messages_example_is_a_real_event_and_fits_its_payload_schema(doc, type_):
    [example] = doc["components"]["messages"][type_]["examples"]

    parse(json.dumps(example["payload"]))
    validator(doc, type_).validate(example["payload"])


def test_the_payload_schema_rejects_bad_data_and_the_wrong_type(doc):
    good = asyncapi.example("booking.held")
    check = validator(doc, "booking.held")

    assert not check.is_valid({**good, "data": {**good["data"], "status": "teleported"}})
    assert not check.is_valid({**good, "data": {k: v for k, v in good["data"].items() if k != "booking_id"}})
    assert not check.is_valid({**good, "type": "booking.confirmed"})
    assert not check.is_valid({k: v for k, v in good.items() if k != "sequence"})
