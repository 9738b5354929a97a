"""Encryption at rest for secrets such as the Twilio Auth Token.

The key comes from OCC_ENCRYPTION_KEY (a Fernet key, or any passphrase,
which is stretched to one); without it, from SECRET_KEY, so a development
install works with nothing set.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class DecryptionError(Exception):
    """The stored value cannot be read with the configured key."""


def _fernet() -> Fernet:
    material = settings.OCC_ENCRYPTION_KEY or settings.SECRET_KEY
    try:
        return Fernet(material.encode())
    except ValueError:
        digest = hashlib.sha256(("occ-encryption:" + material).encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("stored secret cannot be decrypted with the configured key") from exc
