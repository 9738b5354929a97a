"""API tokens (one per user): created and revoked from the console."""

from __future__ import annotations

from django.db import transaction
from django.views.decorators.debug import sensitive_variables
from rest_framework.authtoken.models import Token


@sensitive_variables()
@transaction.atomic
def create_token(user) -> str:
    """A new key for `user`, replacing any previous one (which stops working)."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


def revoke_token(user) -> bool:
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
