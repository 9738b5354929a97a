"""Search (interactions.search): every filter, inside the visibility rule, with safe snippets.

The same tests run on SQLite (the LIKE fallback) and, with DATABASE_URL, on
PostgreSQL (full text and trigrams); test_search_postgres.py checks the
PostgreSQL plans use the indexes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions import search
from interactions.models import CloseReason, InteractionState, Label

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["ids as a list", "ids as a subquery"])
def visible_as(request, monkeypatch):
    """Every test twice: an agent's visible conversations as a list of ids, and as the
    subquery used past search.VISIBLE_AS_LIST of them; both must find the same."""
    if request.param == "ids as a subquery":
        monkeypatch.setattr(search, "VISIBLE_AS_LIST", 0)
    return request.param


def found(user, **filters):
    return [hit.interaction.pk for hit in search.search(user, search.Filters(**filters)).hits]


@pytest.fixture
def world(make_agent, admin_user, conversation_factory):
    alex, bea = make_agent("alex"), make_agent("bea")
    old = timezone.now() - timedelta(days=10)
    c = conversation_factory
    w = {
        "alex": alex,
        "bea": bea,
        "admin": admin_user,
        "refund": c(
            "Maria Rossi", "+393331112222", "I want a refund for my order", "Sure", agent=alex
        ),
        "perche": c(
            "Niccolò Bianchi", "+393334445555", "Perché il pacco è in ritardo?", agent=alex
        ),
        "beas": c("Luca Verdi", "+393336667777", "refund please, order 99", agent=bea, at=old),
        "open": c(
            "Maria Rossi",
            "+393331112222",
            "another question",
            agent=alex,
            state=InteractionState.ASSIGNED,
        ),
    }
    return w


class TestWords:
    def test_a_word_finds_the_message_and_its_conversation(self, world):
        hits = search.search(world["alex"].user, search.Filters(text="refund")).hits
        assert [h.interaction.pk for h in hits] == [world["refund"].pk]
        assert hits[0].matched and "refund" in hits[0].message.body

    def test_every_word_must_be_in_the_message(self, world):
        admin = world["admin"]
        assert set(found(admin, text="refund order")) == {world["beas"].pk, world["refund"].pk}
        assert found(admin, text="refund banana") == []

    def test_case_and_accents_do_not_matter(self, world):
        assert found(world["alex"].user, text="PERCHE") == [world["perche"].pk]
        assert found(world["alex"].user, text="perché") == [world["perche"].pk]

    def test_an_agent_finds_only_what_the_rule_shows_them(self, world):
        # Bea's conversation with Luca has the word too; Alex never served Luca.
        assert world["beas"].pk not in found(world["alex"].user, text="refund")
        assert set(found(world["admin"], text="refund")) == {world["refund"].pk, world["beas"].pk}


class TestFilters:
    def test_contact_name_any_part_without_accents(self, world):
        assert set(found(world["alex"].user, contact="niccolo")) == {world["perche"].pk}
        assert set(found(world["alex"].user, contact="ROSSI")) == {
            world["refund"].pk,
            world["open"].pk,
        }

    def test_whatsapp_profile_name_is_searched_too(self, world):
        contact = world["perche"].contact
        contact.profile_name = "Nico B"
        contact.name = "Mr Bianchi"
        contact.save()
        assert found(world["alex"].user, contact="nico b") == [world["perche"].pk]

    def test_number_in_any_shape(self, world):
        assert found(world["admin"], contact="333 666-77") == [world["beas"].pk]
        assert found(world["admin"], contact="+39 333 4445") == [world["perche"].pk]

    def test_label_close_reason_service_agent(self, world, service):
        label = Label.objects.create(name="vip")
        world["perche"].labels.add(label)
        reason = CloseReason.objects.create(name="Solved")
        world["refund"].close_reason = reason
        world["refund"].save()
        admin = world["admin"]
        assert found(admin, label_id=label.pk) == [world["perche"].pk]
        assert found(admin, close_reason_id=reason.pk) == [world["refund"].pk]
        assert found(admin, agent_id=world["bea"].pk) == [world["beas"].pk]
        assert len(found(admin, service_id=service.pk)) == 4
        assert found(admin, text="refund", label_id=label.pk) == []

    def test_date_range(self, world):
        today = timezone.localdate()
        admin = world["admin"]
        assert world["beas"].pk not in found(admin, date_from=today - timedelta(days=1))
        assert found(admin, date_to=today - timedelta(days=5)) == [world["beas"].pk]
        assert found(admin, text="refund", date_to=today - timedelta(days=5)) == [world["beas"].pk]

    def test_the_closed_view_is_the_agents_closed_ones_newest_first(self, world):
        alex = world["alex"].user
        closed = found(alex, closed_only=True)
        assert closed == [world["perche"].pk, world["refund"].pk] or closed == [
            world["refund"].pk,
            world["perche"].pk,
        ]
        world["refund"].closed_at = timezone.now()
        world["refund"].save()
        assert found(alex, closed_only=True) == [world["refund"].pk, world["perche"].pk]
        assert found(world["bea"].user, closed_only=True) == [world["beas"].pk]

    def test_pages(self, world, conversation_factory):
        for i in range(5):
            conversation_factory("P", f"+39333000{i:04d}", "paged word", agent=world["alex"])
        first = search.search(world["alex"].user, search.Filters(text="paged"), per_page=3)
        second = search.search(world["alex"].user, search.Filters(text="paged"), page=2, per_page=3)
        assert first.has_next and not second.has_next and second.has_previous
        ids = [h.interaction.pk for h in first.hits + second.hits]
        assert len(ids) == len(set(ids)) == 5


class TestSnippets:
    def test_the_match_is_marked_and_the_rest_escaped(self):
        html = search.highlight('<script>alert("x")</script> a Refund now', ["refund"])
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        assert "<mark>Refund</mark>" in html

    def test_a_word_inside_markup_is_marked_without_breaking_it(self):
        html = search.highlight("<b onclick=refund()>", ["refund"])
        assert html == "&lt;b onclick=<mark>refund</mark>()&gt;"

    def test_a_long_message_is_cut_around_the_first_match(self):
        body = "x " * 200 + "the rare word zebra here " + "y " * 200
        html = search.highlight(body, ["zebra"])
        assert html.startswith("…") and html.endswith("…")
        assert "<mark>zebra</mark>" in html and len(html) < 260

    def test_accented_text_is_marked_where_it_matched(self):
        assert search.highlight("Perché no", ["perche"]) == "<mark>Perché</mark> no"
