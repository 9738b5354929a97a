from __future__ import annotations

from django.conf import settings

from agents import roles


def occ(request):
    """Values every page needs: the sandbox banner and the user's role."""
    user = getattr(request, "user", None)
    return {
        "occ_sandbox": settings.OCC_SANDBOX,
        "is_administrator": roles.is_administrator(user),
        "is_supervisor": roles.is_supervisor(user),
    }
