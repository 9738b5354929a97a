"""GET /api/v1/search/: the desk's search over the API, inside the visibility rule, in the OpenAPI."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_words_give_the_matching_message_and_a_safe_snippet(
    agent, make_agent, conversation_factory
):
    mine = conversation_factory("Maria", "+393330000001", "<img src=x> refund please", agent=agent)
    conversation_factory("Luca", "+393330000002", "refund too", agent=make_agent("bea"))
    body = api_for(agent.user).get("/api/v1/search/", {"text": "refund"}).json()
    assert [r["interaction"]["id"] for r in body["results"]] == [mine.pk]
    hit = body["results"][0]
    assert hit["matched"] and hit["message"]["body"].endswith("refund please")
    assert hit["snippet_html"] == "&lt;img src=x&gt; <mark>refund</mark> please"
    assert body["has_next"] is False


def test_bad_filters_are_400(agent):
    assert api_for(agent.user).get("/api/v1/search/", {"date_from": "yesterday"}).status_code == 400
    assert APIClient().get("/api/v1/search/").status_code in (401, 403)


def test_documented_in_openapi(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {
        "text",
        "contact",
        "label",
        "close_reason",
        "service",
        "agent",
        "date_from",
        "date_to",
    } <= names
