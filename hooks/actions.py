"""Registering and changing webhook endpoints (the console and the API call these)."""

from __future__ import annotations

from hooks.models import Endpoint, new_secret


def create_endpoint(
    *,
    url: str,
    description: str = "",
    event_types=(),
    is_active: bool = True,
    secret: str = "",
    created_by=None,
) -> tuple[Endpoint, str]:
    """Register an endpoint; returns it with its signing secret (generated when not given)."""
    secret = secret or new_secret()
    endpoint = Endpoint(
        url=url,
        description=description,
        event_types=list(event_types),
        is_active=is_active,
        created_by=created_by,
    )
    endpoint.set_secret(secret)
    endpoint.full_clean()
    endpoint.save()
    return endpoint, secret


def rotate_secret(endpoint: Endpoint) -> str:
    secret = new_secret()
    endpoint.set_secret(secret)
    endpoint.save(update_fields=["secret_encrypted"])
    return secret
