"""Accounts fixtures: an authenticator app for a device, a user with two-factor on."""

from __future__ import annotations

import re
import time

import pytest
from django_otp.oath import TOTP


def totp_code(device, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for `device` now (or `steps_ahead` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def link_in(body: str) -> str:
    return re.search(r"https?://\S+", body).group(0)


@pytest.fixture
def enrolled(django_user_model):
    """enrolled(user) → (TOTP device, recovery codes): two-factor on, as after enrolment."""
    from accounts import actions

    def enrol(user):
        device = actions.enrolment_device(user)
        codes = actions.confirm_enrolment(user, device)
        return device, codes

    return enrol
