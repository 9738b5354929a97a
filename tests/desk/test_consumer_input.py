"""The desk socket under bad input and after its user is deactivated.

Bad frames and unsafe text get an error message and the socket stays open;
a deactivated agent's open sockets are closed (code 4403) and a command that
arrives before the close is refused, so the tab cannot set them online.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from agents.models import AgentProfile, Presence
from interactions.models import Message
from tests.desk.helpers import TIMEOUT, ainbound, run

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def db(function, *args, **kwargs):
    return function(*args, **kwargs)


async def closed_with(tab) -> int:
    """The close code the server sent, skipping any pushes that came first."""
    while True:
        output = await tab.communicator.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            return output.get("code")


def test_a_reply_with_a_lone_surrogate_gets_a_clear_error_and_stores_nothing(tab, agent, service):
    async def scenario():
        interaction = (await ainbound(service, provider_id="SM" + "1" * 32)).interaction
        desk = tab(agent.user)
        await desk.open()
        # json.dumps writes the lone surrogate as \ud800, as a browser's JSON.stringify may.
        error = await desk.command(
            {"type": "reply", "interaction_id": interaction.pk, "body": "hi \ud800"}, "error"
        )
        variables = await desk.command(
            {
                "type": "reply",
                "interaction_id": interaction.pk,
                "template_id": "HX" + "0" * 32,
                "template_variables": {"\udfff": "x"},
            },
            "error",
        )
        control = await desk.command(
            {"type": "reply", "interaction_id": interaction.pk, "body": "hi \x00"}, "error"
        )
        pong = await desk.command({"type": "ping"}, "pong")
        await desk.close()
        return error, variables, control, pong

    error, variables, control, pong = run(scenario)
    assert error["field"] == "body" and "U+D800" in error["message"]
    assert variables["field"] == "template_variables"
    assert control["field"] == "body" and "U+0000" in control["message"]
    assert pong["type"] == "pong"  # still open
    assert Message.objects.filter(direction="out").count() == 0


def test_a_reply_keeps_its_line_breaks(tab, agent, service, fake_twilio):
    async def scenario():
        interaction = (await ainbound(service, provider_id="SM" + "2" * 32)).interaction
        desk = tab(agent.user)
        await desk.open()
        stored = await desk.command(
            {"type": "reply", "interaction_id": interaction.pk, "body": "one\n\ttwo"},
            "reply.stored",
        )
        await desk.close()
        return stored

    assert run(scenario)["message"]["body"] == "one\n\ttwo"


def test_frames_that_are_not_json_objects_get_an_error_and_the_socket_stays_open(tab, agent):
    async def scenario():
        desk = tab(agent.user)
        await desk.open()
        answers = []
        for frame in ("not json", "{", "[1, 2]", '"text"', "\ud800"):
            await desk.communicator.send_to(text_data=frame)
            answers.append(await desk.receive_until("error"))
        await desk.communicator.send_to(bytes_data=b"\x00\xff")
        answers.append(await desk.receive_until("error"))
        pong = await desk.command({"type": "ping"}, "pong")
        await desk.close()
        return answers, pong

    answers, pong = run(scenario)
    assert len(answers) == 6 and all(a["message"] for a in answers)
    assert pong["type"] == "pong"


def test_a_deactivated_agents_open_socket_is_closed(tab, agent, admin_client):
    async def scenario():
        desk = tab(agent.user)
        await desk.open()
        response = await db(admin_client.post, f"/users/{agent.user.pk}/deactivate/")
        return response.status_code, await closed_with(desk)

    status, code = run(scenario)
    assert status == 302
    assert code == 4403


def test_an_agent_whose_profile_is_removed_loses_their_open_socket(tab, agent):
    async def scenario():
        desk = tab(agent.user)
        await desk.open()
        await db(lambda: AgentProfile.objects.get(pk=agent.pk).delete())
        return await closed_with(desk)

    assert run(scenario) == 4403


def test_a_presence_command_before_the_close_arrives_is_refused(tab, agent):
    """The deactivation and the close race: the command re-checks the user itself."""
    AgentProfile.objects.filter(pk=agent.pk).update(presence=Presence.AWAY)

    async def scenario():
        desk = tab(agent.user)
        await desk.open()
        # An update() sends no signal: the close the deactivation would send has not arrived.
        await db(get_user_model().objects.filter(pk=agent.user.pk).update, is_active=False)
        await desk.send({"type": "presence", "presence": "online"})
        error = await desk.receive_until("error")
        return error, await closed_with(desk)

    error, code = run(scenario)
    assert "no longer active" in error["message"]
    assert code == 4403
    assert AgentProfile.objects.get(pk=agent.pk).presence != Presence.ONLINE


def test_a_deactivated_supervisors_socket_is_closed_too(tab, admin_user):
    async def scenario():
        desk = tab(admin_user)
        await desk.open()
        admin_user.is_active = False
        await db(admin_user.save)
        return await closed_with(desk)

    assert run(scenario) == 4403
