"""Two-factor sign-in enforced on every page, after authentication.

- A user who has two-factor, in a session that never gave a code (signed in
  some other way, or before enrolling elsewhere), is signed out and sent to
  the log-in page.
- A user who must have two-factor (Settings → Security) and has none yet
  reaches only the enrolment pages, the log-out and the language switch until
  they enrol; an API call with that session gets 403. API tokens are another
  credential, checked by the API itself, and are not affected.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts import two_factor

# Answers that never read the session, so they carry no cookie and no
# `Vary: Cookie` (caches and other websites rely on it): the widget's public
# endpoints, the files Twilio fetches, static files.
SESSIONLESS_PREFIXES = ("/widget/", "/desk/files/")

# URL names open to a user who still has to enrol.
ENROLMENT_PAGES = (
    "accounts:security",
    "accounts:recovery_codes",
    "accounts:recovery_codes_download",
    "accounts:recovery_codes_saved",
    "logout",
    "set_language",
)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        if self._open_paths is None:
            self._open_paths = tuple(reverse(name) for name in ENROLMENT_PAGES)
        return self._open_paths

    def __call__(self, request):
        if request.path.startswith((*SESSIONLESS_PREFIXES, "/" + settings.STATIC_URL.lstrip("/"))):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if getattr(user, "otp_device", None) is not None:
            return self.get_response(request)
        if two_factor.has_two_factor(user):
            auth.logout(request)
            return redirect_to_login(request.get_full_path())
        if two_factor.must_have(user) and request.path not in self.open_paths():
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": "Two-factor sign-in is required: set it up on your Security page first."
                    },
                    status=403,
                )
            return redirect("accounts:security")
        return self.get_response(request)
