"""A user's open desk and supervisor tabs: their group on the channel layer, and closing them.

Below the desk on purpose: a role change (agents.roles.set_role) or a
deactivation closes the tabs, so they reload with what the user may now do,
without `agents` importing the desk.
"""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agents.models import AgentProfile

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    """Every desk tab of one user (agent or supervisor) joins this group."""
    return f"user.{user_id}"


def close_desks(user_id: int) -> None:
    """Close the user's open desk tabs (code 4403), in every process, bounded in time.

    A deactivated user can no longer log in, but a tab opened before keeps
    its socket: without this it could still set them online. Each command
    also re-checks the user (desk.consumers), so one that arrives before
    this close is refused as well.
    """

    async def send():
        layer = get_channel_layer()
        if layer is not None:
            await asyncio.wait_for(
                layer.group_send(user_group(user_id), {"type": "desk.revoke"}),
                settings.OCC_PUSH_TIMEOUT_SECONDS,
            )

    try:
        async_to_sync(send)()
    except Exception as exc:  # the layer down: the tab's next command is refused anyway
        logger.warning("closing the desk tabs of user %s failed (%s)", user_id, type(exc).__name__)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _close_desks_of_inactive_user(sender, instance, **kwargs):
    if not instance.is_active:
        transaction.on_commit(lambda: close_desks(instance.pk))


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
@receiver(post_delete, sender=AgentProfile)
def _close_desks_of_removed_user(sender, instance, **kwargs):
    user_id = instance.user_id if isinstance(instance, AgentProfile) else instance.pk
    transaction.on_commit(lambda: close_desks(user_id))
