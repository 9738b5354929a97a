"""Encryption at rest for secrets such as the Twilio Auth Token.

The key comes from OCC_ENCRYPTION_KEY (a Fernet key, or any passphrase,
which is stretched to one); without it, from SECRET_KEY, so a development
install works with nothing set.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from threading import Lock

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.views.decorators.debug import sensitive_variables


class DecryptionError(Exception):
    """The stored value cannot be read with the configured key."""


# The plaintexts this process has encrypted or decrypted, newest last, so
# error reports can hide them wherever they turn up (occ.error_reports).
# The process holds them in memory anyway; a few at most (an Auth Token,
# webhook secrets).
_REVEALED_MAX = 64
_revealed: OrderedDict[str, None] = OrderedDict()
_revealed_lock = Lock()


def _remember(plaintext: str) -> None:
    with _revealed_lock:
        _revealed[plaintext] = None
        _revealed.move_to_end(plaintext)
        while len(_revealed) > _REVEALED_MAX:
            _revealed.popitem(last=False)


def revealed_secrets() -> list[str]:
    with _revealed_lock:
        return list(_revealed)


def _fernet() -> Fernet:
    material = settings.OCC_ENCRYPTION_KEY or settings.SECRET_KEY
    try:
        return Fernet(material.encode())
    except ValueError:
        digest = hashlib.sha256(("occ-encryption:" + material).encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))


@sensitive_variables("plaintext")
def encrypt(plaintext: str) -> str:
    _remember(plaintext)
    return _fernet().encrypt(plaintext.encode()).decode()


@sensitive_variables("plaintext")
def decrypt(ciphertext: str) -> str:
    try:
        plaintext = _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("stored secret cannot be decrypted with the configured key") from exc
    _remember(plaintext)
    return plaintext
