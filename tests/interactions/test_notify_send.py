"""Pushes reach every group in one hop, and a failing layer never breaks the caller."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from interactions import notify


def test_push_reaches_every_group(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channels = {}
    for group in ("agent.7", "supervisors"):
        channels[group] = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(group, channels[group])

    notify.send_now(["agent.7", "supervisors"], {"type": "message.created", "n": 1})

    for channel in channels.values():
        message = async_to_sync(layer.receive)(channel)
        assert message == {"type": "desk.push", "event": {"type": "message.created", "n": 1}}


class BrokenLayer:
    def __init__(self):
        self.tried = []

    async def group_send(self, group, message):
        self.tried.append(group)
        if group == "agent.1":
            raise ConnectionError("redis is down")


def test_a_failing_group_is_logged_and_the_others_still_get_it(monkeypatch, caplog):
    layer = BrokenLayer()
    monkeypatch.setattr(notify, "get_channel_layer", lambda: layer)
    with caplog.at_level(logging.WARNING, logger="interactions.notify"):
        notify.send_now(["agent.1", "supervisors"], {"type": "message.created"})
    assert layer.tried == ["agent.1", "supervisors"]
    assert "push of message.created to agent.1 failed" in caplog.text
