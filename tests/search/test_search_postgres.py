"""On PostgreSQL: search uses its indexes (full text over messages, trigrams over names and numbers)."""

from __future__ import annotations

import pytest
from django.db import connection

from interactions import search
from interactions.models import Contact, Message

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL enable_seqscan = off"
        )  # a tiny table: ask whether the index *can* serve
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_unaccent_is_installed_in_the_test_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT occ_unaccent('Perché')")
        assert cursor.fetchone()[0] == "Perche"


def test_words_use_the_full_text_index():
    rows = search._with_body_search(Message.objects.all()).filter(
        search._message_matches(["refund"])
    )
    assert "message_body_fts" in plan(rows)


def test_names_and_numbers_use_the_trigram_indexes():
    assert "contact_name_trgm" in plan(search.matching_contacts("rossi"))
    assert "contact_address_trgm" in plan(search.matching_contacts("333 1234"))


def test_the_name_expression_is_the_indexed_one():
    Contact.objects.create(address="+393331234567", name="Niccolò", profile_name="Nico")
    assert search.matching_contacts("niccolo nico").count() == 1
