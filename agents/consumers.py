"""The desk's WebSocket: live pushes to an agent's browser (protocol: docs/websocket-protocol.md)."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from interactions.notify import SUPERVISORS_GROUP, agent_group


@database_sync_to_async
def _profile_id(user) -> int | None:
    from agents.models import AgentProfile

    return AgentProfile.objects.filter(user=user).values_list("pk", flat=True).first()


class DeskConsumer(AsyncJsonWebsocketConsumer):
    """One desk tab. Joins the agent's group (and supervisors' for administrators)."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.profile_id = await _profile_id(user)
        self.groups_joined = []
        if self.profile_id:
            self.groups_joined.append(agent_group(self.profile_id))
        if user.is_staff:
            self.groups_joined.append(SUPERVISORS_GROUP)
        if not self.groups_joined:
            await self.close(code=4403)
            return
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "agent_id": self.profile_id, "supervisor": user.is_staff})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def desk_push(self, message):
        await self.send_json(message["event"])
