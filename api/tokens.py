"""API tokens (one per user): created by administrators, revoked by them or by the user; audit-logged.

The audit entry names the token by its prefix (its first characters, shown
in the console), never by its key.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from rest_framework.authtoken.models import Token

PREFIX_LENGTH = 8
# A use is recorded at most this often per token.
USE_RESOLUTION = timedelta(seconds=60)


def prefix_of(key: str) -> str:
    return key[:PREFIX_LENGTH]


def _audit(user, event: str, prefix: str) -> None:
    from audit.models import AuditEntry
    from audit.receivers import record

    record(user, AuditEntry.Action.CHANGED, {"api_token": {"event": event, "prefix": prefix}})


@sensitive_variables()
@transaction.atomic
def create_token(user) -> str:
    """A new key for `user`, replacing any previous one (which stops working)."""
    from api.models import TokenUse

    old = Token.objects.filter(user=user).first()
    if old is not None:
        old_prefix = prefix_of(old.key)  # the key is the primary key: gone after delete()
        old.delete()
        _audit(user, "replaced", old_prefix)
    TokenUse.objects.filter(user=user).delete()
    key = Token.objects.create(user=user).key
    _audit(user, "created", prefix_of(key))
    return key


@transaction.atomic
def revoke_token(user) -> bool:
    from api.models import TokenUse

    token = Token.objects.filter(user=user).first()
    if token is None:
        return False
    prefix = prefix_of(token.key)  # the key is the primary key: gone after delete()
    token.delete()
    TokenUse.objects.filter(user=user).delete()
    _audit(user, "revoked", prefix)
    return True


def record_use(user_id: int, *, now=None) -> None:
    """The token of `user_id` authenticated a request now (written at most once a minute)."""
    from api.models import TokenUse

    now = now or timezone.now()
    if TokenUse.objects.filter(user_id=user_id, last_used_at__gt=now - USE_RESOLUTION).exists():
        return
    TokenUse.objects.update_or_create(user_id=user_id, defaults={"last_used_at": now})


def tokens_of(users) -> dict[int, dict]:
    """{user id: {"prefix", "created", "last_used"}} for the users that have a token."""
    from api.models import TokenUse

    ids = [u.pk for u in users]
    uses = dict(TokenUse.objects.filter(user_id__in=ids).values_list("user_id", "last_used_at"))
    return {
        t.user_id: {
            "prefix": prefix_of(t.key),
            "created": t.created,
            "last_used": uses.get(t.user_id),
        }
        for t in Token.objects.filter(user_id__in=ids)
    }
