"""The sandbox's demo account: the fake Twilio knows it, `manage.py seed_demo` configures it."""

DEMO_ACCOUNT_SID = "AC" + "de5a0d0e0c0c0a0b0c0d0e0f0a0b0c0d"
DEMO_AUTH_TOKEN = "sandbox-auth-token-0123456789abcd"
DEMO_SERVICE_NUMBER = "+15005550006"
