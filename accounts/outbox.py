"""An e-mail backend for the sandbox: e-mails are kept in the database, never sent.

They are listed under Sandbox → Outbox (accounts.views.outbox), so a first
run can follow an invitation or a password reset without a mail server, and
so can the browser tests, whose server runs in another thread.
"""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        from accounts.models import OutboxEmail

        for message in email_messages:
            OutboxEmail.objects.create(
                from_email=str(message.from_email)[:300],
                to=", ".join(message.recipients()),
                subject=str(message.subject)[:300],
                body=str(message.body),
            )
        return len(email_messages)
