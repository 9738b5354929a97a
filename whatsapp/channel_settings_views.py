"""Settings → Advanced → Chat channel: WhatsApp switch, Twilio credentials, Verify account."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from occ.lib.crypto import DecryptionError
from occ.lib.permissions import administrator_required
from services.models import Service
from settings.forms import ChatChannelForm
from settings.models import ChatChannelSettings
from whatsapp import channel_settings_actions as actions
from whatsapp.urls_public import inbound_webhook_url, status_webhook_url

logger = logging.getLogger(__name__)


@administrator_required
@sensitive_post_parameters("auth_token")
def chat_channel(request):
    config = ChatChannelSettings.load()
    form = ChatChannelForm(request.POST or None, instance=config)
    verification = None
    if request.method == "POST" and form.is_valid():
        open_count = _open_whatsapp_conversations(config, form)
        if open_count and request.POST.get("confirm_off") != "1":
            # Switching WhatsApp off drops every customer's next message: say so first.
            return _render(request, form, None, switch_off_open=open_count)
        if request.POST.get("action") == "verify":
            verification = _verify(request, form)
            if verification is None or not verification.ok:
                # Shown in place: nothing typed in the form was saved.
                return _render(request, form, verification)
            _save(request, form)
            actions.record_verification(ChatChannelSettings.load(), verification)
            messages.success(request, verification.message + " " + _("The settings were saved."))
        else:
            _save(request, form)
            messages.success(request, _("Chat channel settings saved."))
        return redirect("advanced_settings:chat_channel")
    return _render(request, form, verification)


def _save(request, form: ChatChannelForm) -> None:
    if form.cleaned_data.get("clear_auth_token"):
        token_change = "removed"
    else:
        token_change = "replaced" if form.new_token else "kept"
    config = form.save()
    # An audit line an operator can rely on; the token itself never reaches the log.
    logger.info(
        "chat channel settings saved by %s: WhatsApp %s, Account SID %s, Auth Token %s",
        request.user.get_username(),
        "on" if config.whatsapp_enabled else "off",
        config.account_sid or "-",
        token_change,
    )


@sensitive_variables("auth_token")
def _verify(request, form: ChatChannelForm) -> actions.Verification | None:
    """Verify the form's credentials (or the stored token); record the result when they are the stored ones."""
    try:
        account_sid, auth_token = form.credentials()
    except DecryptionError:
        form.add_error(
            "auth_token",
            _(
                "The stored Auth Token cannot be read with the configured encryption key: type it again."
            ),
        )
        return None
    if not account_sid or not auth_token:
        form.add_error(None, _("Verify account needs the Account SID and the Auth Token."))
        return None
    verification = actions.verify_credentials(account_sid, auth_token)
    logger.info(
        "Twilio account %s verified by %s: %s",
        account_sid,
        request.user.get_username(),
        verification.kind,
    )
    if not verification.ok and not form.credentials_changed():
        # The stored credentials themselves failed: the page and the health check should say so.
        actions.record_verification(ChatChannelSettings.load(), verification)
    return verification


def _open_whatsapp_conversations(config: ChatChannelSettings, form: ChatChannelForm) -> int:
    """Open WhatsApp conversations, when this save would switch WhatsApp off for the account."""
    from interactions.models import OPEN_STATES, Interaction

    stored_on = ChatChannelSettings.objects.filter(pk=config.pk, whatsapp_enabled=True).exists()
    if not stored_on or form.cleaned_data.get("whatsapp_enabled"):
        return 0
    return Interaction.objects.filter(channel="whatsapp", state__in=OPEN_STATES).count()


def _render(
    request,
    form: ChatChannelForm,
    verification: actions.Verification | None,
    *,
    switch_off_open: int = 0,
):
    stored = ChatChannelSettings.load()  # the form's instance holds unsaved input
    context = {
        "form": form,
        "stored": stored,
        "verification": verification,
        "unsaved_credentials": bool(verification and form.is_bound and form.credentials_changed()),
        "inbound_url": inbound_webhook_url(request),
        "status_url": status_webhook_url(request),
        "whatsapp_services": Service.objects.filter(whatsapp_enabled=True),
        "switch_off_open": switch_off_open,
    }
    return render(request, "settings/chat_channel.html", context)
