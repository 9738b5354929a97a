from __future__ import annotations

from django.conf import settings


def occ(request):
    """Values every page needs: the sandbox banner and the user's role."""
    user = getattr(request, "user", None)
    return {
        "occ_sandbox": settings.OCC_SANDBOX,
        "is_administrator": bool(user and user.is_authenticated and user.is_staff),
    }
