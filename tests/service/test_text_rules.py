"""Titles and bodies need a visible character; the OpenAPI patterns state the same rule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from starlette.testclient import TestClient

from sample_service import models
from sample_service.app import create_app
from sample_service.openapi import openapi_document
from sample_service.text_rules import body_pattern, query_pattern, title_pattern
from tests.service.conftest import settings_for

INVISIBLE_ONLY = [
    "\u200b",  # zero-width space
    "\u200b\u200c\u200d\u2060",  # zero-width space, non-joiner, joiner, word joiner
    "\u202e\u202d\u202a\u202c",  # bidi overrides and embeddings
    "\u2066\u2067\u2068\u2069 ",  # bidi isolates, a space
    "\u200e\u200f\u061c",  # LRM, RLM, Arabic letter mark
    "\ufeff\u00ad",  # BOM, soft hyphen
    "\u3000\u00a0\u2003",  # ideographic, no-break and em spaces
    "\u3164\u115f\u2800",  # Hangul fillers, braille blank
    "\ufe0f\U000e0041\U000e007f",  # a variation selector, tag characters
    "\u0085\u009f",  # C1 controls (NEL among them)
]
VISIBLE = ["a", "\u200bhidden\u200b", "\u202ereversed", "日本", "مرحبا", "😀", "-", "\u00e9"]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(f"sqlite:///{tmp_path / 'a.db'}"))) as test_client:
        yield test_client


@pytest.mark.parametrize("text", INVISIBLE_ONLY)
@pytest.mark.parametrize("field", ["title", "body"])
def test_invisible_only_text_is_refused_with_422_saying_why(
    client: TestClient, field: str, text: str
) -> None:
    payload = {"title": "ok", field: text}
    response = client.post("/api/articles", json=payload)
    assert response.status_code == 422, response.text
    [problem] = response.json()["error"]["details"]["fields"]
    assert problem["field"] == field
    assert problem["message"].startswith("has no visible character")


@pytest.mark.parametrize("text", VISIBLE)
def test_text_with_something_visible_is_stored_as_sent(client: TestClient, text: str) -> None:
    response = client.post("/api/articles", json={"title": text, "body": text})
    assert response.status_code == 201, response.text
    assert (response.json()["title"], response.json()["body"]) == (text, text)


def test_an_empty_body_is_still_allowed(client: TestClient) -> None:
    assert client.post("/api/articles", json={"title": "t", "body": ""}).status_code == 201


def test_the_openapi_document_carries_the_rules() -> None:
    schema = openapi_document("test")["components"]["schemas"]["ArticleIn"]["properties"]
    assert schema["title"]["pattern"] == title_pattern()
    assert "visible" in schema["title"]["description"]
    assert schema["body"]["pattern"] == body_pattern()
    assert "visible" in schema["body"]["description"]
    search = openapi_document("test")["paths"]["/api/search"]["get"]["parameters"]
    assert next(p for p in search if p["name"] == "q")["schema"]["pattern"] == query_pattern()


def _accepted(field: str, text: str) -> bool:
    payload = {"title": "ok", field: text}
    try:
        models.ArticleIn.model_validate_json(json.dumps(payload))
    except ValidationError:
        return False
    return True


# The schema and the validator must agree on every string: schemathesis generates from the
# schema and fails the run on any schema-valid article the service refuses (and vice versa).
# jsonschema_rs is the validator schemathesis itself uses (ECMA-262 semantics: `$` is the very
# end, where Python's re would also match before a final newline).
TITLE = jsonschema_rs.validator_for({"type": "string", "pattern": title_pattern()})
BODY = jsonschema_rs.validator_for({"type": "string", "pattern": body_pattern()})


@settings(max_examples=400, deadline=None)
@given(
    st.text(st.characters(codec="utf-8"), max_size=30)
    | st.text(st.sampled_from([*"".join(INVISIBLE_ONLY), "a", "\x01", "\x7f", "\n", "\t"]))
)
def test_the_schema_patterns_say_exactly_what_the_validator_does(text: str) -> None:
    assert _accepted("title", text) == TITLE.is_valid(text)
    assert _accepted("body", text) == BODY.is_valid(text)
