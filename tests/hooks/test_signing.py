"""Signatures a receiver can check with nothing but the secret and HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac

from hooks import signing

SECRET = "whsec_test"
BODY = b'{"id": "e1", "type": "message.received"}'


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert signing.sign(SECRET, 1700000000, BODY) == "v1=" + expected


def test_verify_accepts_a_fresh_signature_and_refuses_tampering():
    signature = signing.sign(SECRET, 1700000000, BODY)
    assert signing.verify(SECRET, BODY, "1700000000", signature, now=1700000010)
    assert not signing.verify(SECRET, BODY + b" ", "1700000000", signature, now=1700000010)
    assert not signing.verify("another", BODY, "1700000000", signature, now=1700000010)
    assert not signing.verify(SECRET, BODY, "1700000001", signature, now=1700000010)


def test_verify_refuses_an_old_replayed_request():
    signature = signing.sign(SECRET, 1700000000, BODY)
    assert not signing.verify(SECRET, BODY, "1700000000", signature, now=1700000000 + 301)
    assert not signing.verify(SECRET, BODY, "not-a-number", signature)
