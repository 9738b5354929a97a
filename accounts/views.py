"""Sign-in with a second step, password reset, invitations, the Security pages, the outbox."""

from __future__ import annotations

import logging
import math
import time

import django_otp
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import actions, demo, limits, qr, two_factor
from accounts.forms import AuthenticatorCodeForm, CodeForm, SecuritySettingsForm
from accounts.models import OutboxEmail, SecuritySettings
from audit import lockout
from audit.views import ThrottledLoginView
from occ.lib.permissions import administrator_required
from occ.lib.proxies import client_ip

logger = logging.getLogger(__name__)

PENDING = "occ_login_pending"
FRESH_CODES = "occ_recovery_codes"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- Sign-in -----------------------------------------------------------------


class SignInView(ThrottledLoginView):
    """The password; then, for a user with two-factor, the code (login_code).

    The user is signed in only after the code: until then the session holds
    who gave the right password, for OCC_LOGIN_CODE_SECONDS, and axes has
    not cleared the failures of that username and address.
    """

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.OCC_SANDBOX:
            context["demo_logins"] = demo.valid_demo_logins()
        return context

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": getattr(user, "backend", MODEL_BACKEND),
            "hash": user.get_session_auth_hash(),
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("accounts:login_code")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > settings.OCC_LOGIN_CODE_SECONDS:
        return None, None
    user = auth.get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    # A password changed meanwhile ends this log-in too.
    if user is None or user.get_session_auth_hash() != pending.get("hash"):
        return None, None
    return user, pending


def _locked_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed log-in attempts. For your security this account is locked "
        "from your address: try again in %(minutes)d minute.",
        "Too many failed log-in attempts. For your security this account is locked "
        "from your address: try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


@sensitive_post_parameters("code")
def login_code(request):
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING, None)
        messages.info(request, _("Please log in again."))
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = user.get_username()
        wait = lockout.seconds_locked(request, username)
        if wait:
            request.session.pop(PENDING, None)
            messages.error(request, _locked_message(wait))
            return redirect("login")
        device = two_factor.verify_code(user, form.cleaned_data["code"])
        if device is None:
            # Counted by axes like a wrong password, for this username and address only.
            user_login_failed.send(
                sender=__name__, credentials={"username": username}, request=request
            )
            form.add_error("code", _("This code is not valid. Try the current code of your app."))
        else:
            del request.session[PENDING]
            auth.login(request, user, backend=pending["backend"])
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code: %(count)d is left. Make new ones on your Security page.",
                        "You used a recovery code: %(count)d are left. Make new ones on your Security page.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(pending["next"])
    return render(request, "accounts/login_code.html", {"form": form})


def admin_login(request, extra_context=None):
    """Django's admin signs in through OCC's log-in page (and its code step)."""
    from django.contrib.auth.views import redirect_to_login

    if request.user.is_authenticated and request.user.is_staff:
        return redirect(request.GET.get("next") or "admin:index")
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


# --- Password reset and invitations ---------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Always answers "if the address is known, an e-mail is on its way", throttled per address."""

    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"

    def form_valid(self, form):
        self.extra_email_context = {
            "base_url": actions.base_url(self.request),
            "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        }
        if limits.take_password_reset(form.cleaned_data["email"], client_ip(self.request) or ""):
            return super().form_valid(form)
        logger.warning("password reset throttled for address %s", client_ip(self.request))
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from a reset link (used once, valid for PASSWORD_RESET_TIMEOUT)."""


class InvitationView(auth_views.PasswordResetConfirmView):
    """An invited user chooses their password, then is signed in and offered two-factor."""

    template_name = "accounts/invitation.html"
    post_reset_login = True
    post_reset_login_backend = MODEL_BACKEND
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        user = form.user
        # A user who already has two-factor gives a code at the log-in page.
        self.post_reset_login = not two_factor.has_two_factor(user)
        response = super().form_valid(form)
        actions.invitation_accepted(user)
        if self.post_reset_login:
            messages.success(self.request, _("Welcome! Your password is set."))
            return response
        return redirect("login")


# --- The user's own Security page ------------------------------------------------


def _check_code(request, code: str):
    """The device accepting the signed-in user's code; a wrong one counts towards the lockout."""
    user = request.user
    wait = lockout.seconds_locked(request, user.get_username())
    if wait:
        return None, _locked_message(wait)
    device = two_factor.verify_code(user, code)
    if device is None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
        return None, _("This code is not valid. Try the current code of your app.")
    return device, ""


@login_required
@sensitive_post_parameters("code")
def security(request):
    """Two-factor sign-in: enrol (QR code, secret, confirm with a code) or see its state."""
    user = request.user
    if two_factor.has_two_factor(user):
        return render(
            request,
            "accounts/security.html",
            {
                "enrolled": True,
                "codes_left": two_factor.recovery_codes_left(user),
                "required": two_factor.must_have(user),
                "form": CodeForm(),
            },
        )
    device = actions.enrolment_device(user)
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = lockout.seconds_locked(request, user.get_username())
        if wait:
            form.add_error("code", _locked_message(wait))
        elif device.verify_token(two_factor.normalise(form.cleaned_data["code"])):
            codes = actions.confirm_enrolment(user, device)
            django_otp.login(request, device)
            request.session[FRESH_CODES] = codes
            messages.success(
                request, _("Two-factor sign-in is on. Keep your recovery codes somewhere safe.")
            )
            return redirect("accounts:recovery_codes")
        else:
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username()}, request=request
            )
            form.add_error(
                "code",
                _("This code is not valid. Check the time of your phone and try the current code."),
            )
    secret = qr.spaced_secret(device)
    return render(
        request,
        "accounts/security.html",
        {
            "enrolled": False,
            "required": two_factor.must_have(user),
            "qr_svg": qr.svg(device.config_url, _("QR code to scan with your authenticator app")),
            "secret": secret,
            "form": form,
        },
    )


@login_required
@sensitive_post_parameters("code")
def recovery_codes(request):
    """The fresh recovery codes, shown once; POST (with a code) makes new ones."""
    if request.method == "POST":
        if not two_factor.has_two_factor(request.user):
            return redirect("accounts:security")
        form = CodeForm(request.POST)
        if form.is_valid():
            device, error = _check_code(request, form.cleaned_data["code"])
            if device is not None:
                request.session[FRESH_CODES] = actions.regenerate_recovery_codes(request.user)
                messages.success(
                    request, _("New recovery codes made: the old ones no longer work.")
                )
                return redirect("accounts:recovery_codes")
            messages.error(request, error)
        return redirect("accounts:security")
    codes = request.session.get(FRESH_CODES)
    if not codes:
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@login_required
def recovery_codes_download(request):
    codes = request.session.get(FRESH_CODES)
    if not codes:
        return redirect("accounts:security")
    lines = [
        _("OCC recovery codes for %(username)s") % {"username": request.user.get_username()},
        "",
    ]
    lines += codes
    lines += ["", _("Each code works once, in place of the code of your authenticator app.")]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="occ-recovery-codes.txt"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def recovery_codes_saved(request):
    """The user has kept the codes: they are not shown again."""
    request.session.pop(FRESH_CODES, None)
    return redirect("accounts:security")


@login_required
@require_POST
@sensitive_post_parameters("code")
def two_factor_disable(request):
    if two_factor.must_have(request.user):
        messages.error(
            request, _("Your administrators require two-factor sign-in: it cannot be turned off.")
        )
        return redirect("accounts:security")
    form = CodeForm(request.POST)
    if form.is_valid():
        device, error = _check_code(request, form.cleaned_data["code"])
        if device is not None:
            actions.disable(request.user)
            request.session.pop(FRESH_CODES, None)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:security")
        messages.error(request, error)
    else:
        messages.error(request, _("Type a code to turn two-factor sign-in off."))
    return redirect("accounts:security")


# --- Console pages ---------------------------------------------------------------


@administrator_required
def security_settings(request):
    """Settings → Security: whom two-factor sign-in is required of (audit-logged by model signals)."""
    form = SecuritySettingsForm(request.POST or None, instance=SecuritySettings.load())
    if request.method == "POST" and form.is_valid():
        form.save()
        logger.info(
            "two-factor requirement set to %s by %s",
            form.instance.two_factor_required,
            request.user.get_username(),
        )
        messages.success(request, _("Security settings saved."))
        return redirect("accounts:security_settings")
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    return render(request, "accounts/security_settings.html", {"form": form, "reset_hours": hours})


@administrator_required
def outbox(request):
    """Sandbox → Outbox: the e-mails the sandbox kept instead of sending them."""
    page = Paginator(OutboxEmail.objects.all(), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/outbox.html",
        {"page": page, "keeps_emails": settings.EMAIL_BACKEND == "accounts.outbox.OutboxBackend"},
    )
