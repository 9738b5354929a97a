"""Demo data: an administrator, an agent, a WhatsApp service, a widget, labels and close reasons.

Idempotent: running it again keeps what is there and prints the credentials.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.demo import ADMIN, AGENT
from agents.models import AgentProfile
from interactions.models import CloseReason, Label
from services.models import Service
from settings.models import ChatChannelSettings
from whatsapp.sandbox.demo import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_SERVICE_NUMBER
from widgets.models import Widget

# Names that read in English and Italian alike (data, not translated words of the interface).
DEMO_LABELS = [
    ("VIP", "#6a1b9a"),
    ("Refund · Rimborso", "#c62828"),
    ("Urgent · Urgente", "#ef6c00"),
    ("Feedback", "#2e7d32"),
    ("Bug", "#37474f"),
]
DEMO_CLOSE_REASONS = [
    "Resolved · Risolto",
    "Information given · Informazioni fornite",
    "Escalated · Inoltrato",
    "No reply · Nessuna risposta",
    "Spam",
]


class Command(BaseCommand):
    help = "Create demo data for the sandbox: administrator, agent, WhatsApp service, widget."

    def handle(self, *args, **options):
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            username=ADMIN[0],
            defaults={
                "is_staff": True,
                "is_superuser": True,
                "first_name": "Ada",
                "last_name": "Admin",
            },
        )
        if created:
            admin.set_password(ADMIN[1])
            admin.save()
        agent_user, created = User.objects.get_or_create(
            username=AGENT[0], defaults={"first_name": "Alex", "last_name": "Agent"}
        )
        if created:
            agent_user.set_password(AGENT[1])
            agent_user.save()

        config = ChatChannelSettings.load()
        if not config.account_sid:
            config.whatsapp_enabled = True
            config.account_sid = DEMO_ACCOUNT_SID
            config.set_auth_token(DEMO_AUTH_TOKEN)
            config.save()

        service, _ = Service.objects.get_or_create(
            name="Customer care",
            defaults={
                "chat_enabled": True,
                "whatsapp_enabled": True,
                "twilio_number": DEMO_SERVICE_NUMBER,
            },
        )
        profile, _ = AgentProfile.objects.get_or_create(
            user=agent_user,
            defaults={"chat_enabled": True, "whatsapp_enabled": True, "max_interactions": 3},
        )
        profile.services.add(service)
        Widget.objects.get_or_create(
            name="Website",
            defaults={"whatsapp_service": service, "prefilled_text": "Hello! I have a question."},
        )

        for name, colour in DEMO_LABELS:
            Label.objects.get_or_create(name=name, defaults={"colour": colour})
        for position, name in enumerate(DEMO_CLOSE_REASONS, start=1):
            CloseReason.objects.get_or_create(name=name, defaults={"position": position * 10})

        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  administrator: {ADMIN[0]} / {ADMIN[1]}")
        self.stdout.write(f"  agent:         {AGENT[0]} / {AGENT[1]}")
        self.stdout.write(f"  WhatsApp service 'Customer care' on {DEMO_SERVICE_NUMBER}")
