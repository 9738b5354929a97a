"""Read the account's WhatsApp templates and their approval from Twilio now (the periodic job's work)."""

from django.core.management.base import BaseCommand, CommandError

from whatsapp.content_templates import sync_templates


class Command(BaseCommand):
    help = "Sync the Twilio account's WhatsApp templates (Content API) and their approval status."

    def handle(self, *args, **options):
        result = sync_templates()
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(self.style.SUCCESS(result.message))
