"""Placeholders of canned responses: the syntax, what is refused, how they are filled (no database)."""

from __future__ import annotations

from agents.placeholders import Values, fill, unknown_placeholders, used_placeholders


def test_the_known_placeholders_are_filled_with_the_conversation_s_values():
    values = Values(
        contact_name="Maria Rossi",
        contact_phone="+393331234567",
        agent_first_name="Alex",
        agent_name="Alex Bianchi",
        service_name="Customer care",
    )
    text = (
        "Hi {{contact.name}} ({{ contact.first_name }}), {{agent.first_name}} of {{service.name}}."
    )
    assert fill(text, values) == "Hi Maria Rossi (Maria), Alex of Customer care."


def test_a_value_the_conversation_lacks_is_filled_with_nothing():
    assert fill("Hi {{contact.first_name}}!", Values()) == "Hi !"


def test_unknown_names_are_found_and_left_as_written():
    text = "Dear {{customer.name}}, {{contact.name}} {{}} {{ agent.nickname }}"
    assert unknown_placeholders(text) == ["customer.name", "", "agent.nickname"]
    assert used_placeholders("{{contact.name}} {{contact.name}}") == ["contact.name"]
    assert fill("{{customer.name}}", Values(contact_name="X")) == "{{customer.name}}"


def test_text_without_braces_has_no_placeholders():
    assert unknown_placeholders("Hello { there } {single}") == []
