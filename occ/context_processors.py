from __future__ import annotations

from django.conf import settings

from agents import roles
from occ import navigation


def occ(request):
    """Values every page needs: the sandbox banner, the user's role, the navigation group of the page."""
    user = getattr(request, "user", None)
    return {
        "occ_sandbox": settings.OCC_SANDBOX,
        "is_administrator": roles.is_administrator(user),
        "is_supervisor": roles.is_supervisor(user),
        "nav_section": navigation.section(getattr(request, "path", "")),
    }
