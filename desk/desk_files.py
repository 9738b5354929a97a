"""Files agents attach to replies: stored by OCC, fetched by Twilio at a public unguessable URL.

Twilio's Messages API takes media as URLs it downloads itself (MediaUrl),
so an upload is saved under a random token and served without login at
/desk/files/<token>/<name>. The token (192 random bits) is the only key;
nothing lists the files. Uploading needs a login; reading needs the URL,
and the URL works only while Twilio needs it (see OutboundFile).

What a file is comes from its bytes (occ.lib.file_safety), never from its
name or the type the browser declared; the stored name is OCC's own.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from agents.models import OutboundFile
from occ.lib import file_safety
from whatsapp.urls_public import public_base_url

TOKEN_LENGTH = 32


def storage() -> FileSystemStorage:
    return FileSystemStorage(location=str(Path(settings.OCC_MEDIA_ROOT) / "outbound"))


def save_upload(upload, *, user=None) -> dict:
    """Store an uploaded file; raises file_safety.Refused with a message for the agent when refused."""
    checked = file_safety.check_upload(upload.name or "", upload.content_type, upload.size, upload)
    token = secrets.token_urlsafe(24)
    stored = OutboundFile(
        token=token,
        content_type=checked.content_type,
        extension=checked.extension,
        name=checked.name,
        size=upload.size,
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )
    storage().save(stored.stored_name, upload)
    stored.save()
    return {
        "token": token,
        "name": stored.name,
        "content_type": stored.content_type,
        "size": stored.size,
    }


def url_name(stored: OutboundFile) -> str:
    """The last part of the public URL: the name in plain ASCII (Twilio and WhatsApp see it)."""
    return f"{slugify(stored.name.rsplit('.', 1)[0])[:60] or 'file'}.{stored.extension}"


def find(token: str) -> OutboundFile | None:
    if len(token) != TOKEN_LENGTH or not all(c.isalnum() or c in "-_" for c in token):
        return None
    stored = OutboundFile.objects.filter(token=token).first()
    if stored is None or not storage().exists(stored.stored_name):
        return None
    return stored


def open_stored(stored: OutboundFile):
    return storage().open(stored.stored_name, "rb")


def public_until(stored: OutboundFile):
    """When the public URL stops working: a while after Twilio's first fetch, and a bound after the upload."""
    until = stored.created_at + timedelta(hours=settings.OCC_UPLOAD_MAX_AGE_HOURS)
    if stored.first_fetched_at is not None:
        until = min(
            until,
            stored.first_fetched_at + timedelta(minutes=settings.OCC_UPLOAD_FETCH_WINDOW_MINUTES),
        )
    return until


def fetch_public(token: str, name: str) -> OutboundFile | None:
    """The file at a public URL, if it still works; the first successful fetch starts its window."""
    stored = find(token)
    if stored is None or name != url_name(stored):
        return None
    now = timezone.now()
    if now >= public_until(stored):
        return None
    if stored.first_fetched_at is None:
        # Conditional, so that concurrent first fetches keep the earliest time.
        OutboundFile.objects.filter(pk=stored.pk, first_fetched_at__isnull=True).update(
            first_fetched_at=now
        )
    return stored


def public_url(stored: OutboundFile) -> str:
    return public_base_url() + reverse("agents:desk_file", args=[stored.token, url_name(stored)])


def token_of(url: str) -> str:
    """The token in one of our public file URLs ('' if it is not one)."""
    marker = "/desk/files/"
    if marker not in url:
        return ""
    return url.split(marker, 1)[1].partition("/")[0]


def attachments_for(items: list) -> list[dict]:
    """Turn the tokens a desk sends with a reply into the message's attachments (URLs Twilio fetches)."""
    attachments = []
    for item in items[:10]:
        token = str(item.get("token", "")) if isinstance(item, dict) else ""
        stored = find(token)
        if stored is None:
            raise ValueError("An attachment was not found; upload it again.")
        if timezone.now() >= public_until(stored):
            raise ValueError("An attachment is too old to send; upload it again.")
        attachments.append(
            {"url": public_url(stored), "content_type": stored.content_type, "name": stored.name}
        )
    return attachments
