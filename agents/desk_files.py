"""Files agents attach to replies: stored by OCC, fetched by Twilio at a public unguessable URL.

Twilio's Messages API takes media as URLs it downloads itself (MediaUrl),
so an upload is saved under a random token and served without login at
/desk/files/<token>/<name>. The token (192 random bits) is the only key;
nothing lists the files. Uploading needs a login; reading needs the URL.
"""

from __future__ import annotations

import mimetypes
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils.text import get_valid_filename

from whatsapp.urls_public import public_base_url

# What WhatsApp accepts as media, with its size limits (bytes).
ALLOWED_TYPES = {
    "image/jpeg": 5 * 2**20,
    "image/png": 5 * 2**20,
    "application/pdf": 16 * 2**20,
    "audio/mpeg": 16 * 2**20,
    "audio/ogg": 16 * 2**20,
    "video/mp4": 16 * 2**20,
    "text/plain": 16 * 2**20,
}
TOKEN_LENGTH = 32


def storage() -> FileSystemStorage:
    return FileSystemStorage(location=str(Path(settings.OCC_MEDIA_ROOT) / "outbound"))


def save_upload(upload) -> dict:
    """Store an uploaded file; raises ValueError with a message for the agent when refused."""
    content_type = (upload.content_type or mimetypes.guess_type(upload.name)[0] or "").split(";")[0]
    limit = ALLOWED_TYPES.get(content_type)
    if limit is None:
        raise ValueError(f"WhatsApp does not accept files of type {content_type or 'unknown'}.")
    if upload.size > limit:
        raise ValueError(f"The file is larger than WhatsApp's limit of {limit // 2**20} MB for this type.")
    token = secrets.token_urlsafe(24)
    name = get_valid_filename(Path(upload.name).name)[:100] or "file"
    storage().save(f"{token}/{name}", upload)
    return {"token": token, "name": name, "content_type": content_type, "size": upload.size}


def open_file(token: str, name: str):
    """(file object, content type) of a stored upload, or None."""
    if len(token) != TOKEN_LENGTH or not all(c.isalnum() or c in "-_" for c in token):
        return None
    path = f"{token}/{get_valid_filename(name)}"
    store = storage()
    if get_valid_filename(name) != name or not store.exists(path):
        return None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return store.open(path, "rb"), content_type


def public_url(token: str, name: str) -> str:
    return public_base_url() + reverse("agents:desk_file", args=[token, name])


def attachments_for(items: list) -> list[dict]:
    """Turn the tokens a desk sends with a reply into the message's attachments (URLs Twilio fetches)."""
    attachments = []
    for item in items[:10]:
        token = str(item.get("token", "")) if isinstance(item, dict) else ""
        name = str(item.get("name", "")) if isinstance(item, dict) else ""
        found = open_file(token, name)
        if found is None:
            raise ValueError("An attachment was not found; upload it again.")
        handle, content_type = found
        handle.close()
        attachments.append({"url": public_url(token, name), "content_type": content_type, "name": name})
    return attachments
