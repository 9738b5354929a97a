"""The webhook receiver and endpoint fixtures of tests/hooks, for tests of the task engine."""

from tests.hooks.conftest import _webhook_settings, endpoint, receiver  # noqa: F401
