"""The core's channel fields take their choices and default from the registered adapters."""

from __future__ import annotations

import pytest

from interactions.models import Contact, Interaction
from occ.lib import channels


class Other:
    name, label, agent_flag = "other", "Other", "chat_enabled"


def test_the_channel_fields_offer_the_registered_channels_and_default_to_the_first():
    for model in (Contact, Interaction):
        field = model._meta.get_field("channel")
        assert list(field.choices) == [("whatsapp", "WhatsApp")]
        assert field.get_default() == "whatsapp"
    assert Contact(address="+39333").get_channel_display() == "WhatsApp"


def test_a_second_registered_channel_is_a_choice_and_the_first_stays_the_default(monkeypatch):
    monkeypatch.setitem(channels._adapters, "other", Other())
    field = Contact._meta.get_field("channel")
    assert [name for name, _label in field.choices] == ["whatsapp", "other"]
    assert field.get_default() == "whatsapp"


def test_no_registered_channel_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(channels, "_adapters", {})
    with pytest.raises(LookupError, match="no channel adapter"):
        channels.default_name()
