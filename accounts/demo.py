"""The sandbox's demo logins (created by `manage.py seed_demo`), shown on its log-in page."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

ADMIN = ("admin", "occ-demo-admin")
AGENT = ("agent", "occ-demo-agent")
# (what the login is for, (username, password)), in the order the page lists them.
DEMO_LOGINS = [(_("Administrator"), ADMIN), (_("Agent"), AGENT)]
CACHE_KEY = "occ:sandbox-demo-logins"


def valid_demo_logins() -> list[tuple[str, str, str]]:
    """(role, username, password) of each demo login whose password is still the demo one.

    A login whose password was changed, or that was removed, is not shown (the
    page must not offer a password that no longer works). Checking a password
    is slow by design, so the answer is kept a minute.
    """
    usernames = cache.get(CACHE_KEY)
    if usernames is None:
        users = {
            u.username: u
            for u in get_user_model().objects.filter(
                username__in=[login[0] for _role, login in DEMO_LOGINS], is_active=True
            )
        }
        usernames = [
            username
            for _role, (username, password) in DEMO_LOGINS
            if username in users and users[username].check_password(password)
        ]
        cache.set(CACHE_KEY, usernames, 60)
    return [
        (str(role), username, password)
        for role, (username, password) in DEMO_LOGINS
        if username in usernames
    ]
