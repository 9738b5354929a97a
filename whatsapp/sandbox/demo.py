"""The sandbox's demo account: the fake Twilio knows it, `manage.py seed_demo` configures it."""

DEMO_ACCOUNT_SID = "AC" + "de5a0d0e0c0c0a0b0c0d0e0f0a0b0c0d"
DEMO_AUTH_TOKEN = "sandbox-auth-token-0123456789abcd"
DEMO_SERVICE_NUMBER = "+15005550006"

# The sandbox account's templates at "Twilio" (the fake's Content API serves
# them; OCC syncs them like a real account's): approved ones in English and
# Italian, the CSAT survey's quick-reply buttons, one waiting for review and
# one rejected, so the console shows every state and agents only the approved.
DEMO_TEMPLATES: list[dict] = [
    {
        "sid": "HX0123456789abcdef0123456789abcdef",
        "friendly_name": "Follow-up",
        "language": "en",
        "variables": {"1": "customer name"},
        "types": {
            "twilio/text": {
                "body": "Hello {{1}}, we are following up on your request. Reply to continue the conversation."
            }
        },
        "status": "approved",
        "category": "UTILITY",
    },
    {
        "sid": "HX1123456789abcdef0123456789abcdef",
        "friendly_name": "Follow-up (Italian)",
        "language": "it",
        "variables": {"1": "nome del cliente"},
        "types": {
            "twilio/text": {
                "body": "Buongiorno {{1}}, la ricontattiamo per la sua richiesta. Risponda per continuare la conversazione."
            }
        },
        "status": "approved",
        "category": "UTILITY",
    },
    {
        "sid": "HX2123456789abcdef0123456789abcdef",
        "friendly_name": "Appointment reminder",
        "language": "en",
        "variables": {"1": "customer name", "2": "date", "3": "time"},
        "types": {
            "twilio/text": {"body": "Hi {{1}}, a reminder of your appointment on {{2}} at {{3}}."}
        },
        "status": "approved",
        "category": "UTILITY",
    },
    {
        "sid": "HX3123456789abcdef0123456789abcdef",
        "friendly_name": "Satisfaction survey",
        "language": "en",
        "variables": {},
        "types": {
            "twilio/quick-reply": {
                "body": "How satisfied are you with our service? 1 = not at all, 5 = very.",
                "actions": [{"id": f"csat_{n}", "title": str(n)} for n in range(1, 6)],
            }
        },
        "status": "approved",
        "category": "UTILITY",
    },
    {
        "sid": "HX4123456789abcdef0123456789abcdef",
        "friendly_name": "Order shipped",
        "language": "en",
        "variables": {"1": "order number"},
        "types": {"twilio/text": {"body": "Your order {{1}} has shipped."}},
        "status": "pending",
        "category": "UTILITY",
    },
    {
        "sid": "HX5123456789abcdef0123456789abcdef",
        "friendly_name": "Spring promotion",
        "language": "en",
        "variables": {"1": "discount"},
        "types": {"twilio/text": {"body": "Spring sale: {{1}} off everything!"}},
        "status": "rejected",
        "category": "MARKETING",
        "rejection_reason": "INVALID_FORMAT: the example of variable 1 is missing.",
    },
]
