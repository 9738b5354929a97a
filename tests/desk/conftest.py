"""Desk fixtures."""

from __future__ import annotations

import pytest

from tests.desk.helpers import Tab


@pytest.fixture(autouse=True)
def _no_presence_grace(settings):
    # Offline as soon as the last tab closes, so the tests need no sleeping.
    settings.OCC_PRESENCE_GRACE_SECONDS = 0


@pytest.fixture
def tab():
    """tab(user) → a Tab logged in as `user` (None: anonymous)."""

    return Tab
