"""A server process that handles one webhook or one reply and is killed (SIGKILL) at a chosen point.

Run by tests/faults/test_process_killed.py as
`python -m tests.faults.crash_worker <point> <json job>` with DATABASE_URL
pointing at the test database. SIGKILL gives the process no chance to clean
up: whatever the database keeps afterwards is what a crashed server leaves.
"""

from __future__ import annotations

import json
import os
import signal
import sys


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class KillAfter:
    """Executes the statement matching `fragment`, then kills the process."""

    def __init__(self, fragment: str, before: bool = False):
        self.fragment = fragment
        self.before = before

    def __call__(self, execute, sql, params, many, context):
        if self.fragment in sql and self.before:
            die()
        result = execute(sql, params, many, context)
        if self.fragment in sql:
            die()
        return result


# point -> (statement fragment, kill before executing it)
POINTS = {
    "inbound-after-message-insert": ('INSERT INTO "interactions_message"', False),
    "inbound-after-interaction-insert": ('INSERT INTO "interactions_interaction"', False),
    "reply-after-message-insert": ('INSERT INTO "interactions_message"', False),
    "deliver-before-twilio": ('SET "send_attempts"', False),
    "deliver-after-twilio": ('SELECT "interactions_message"."id"', True),
}


def main() -> None:
    point, job = sys.argv[1], json.loads(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "occ.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    fragment, before = POINTS[point]
    if job["kind"] == "webhook":
        client = Client()
        with connection.execute_wrapper(KillAfter(fragment, before)):
            response = client.post(
                job["path"],
                data=job["body"],
                content_type="application/x-www-form-urlencoded",
                HTTP_X_TWILIO_SIGNATURE=job["signature"],
            )
        print("survived", response.status_code)
        return
    from django.contrib.auth import get_user_model

    from interactions.actions.outbound import create_reply, deliver
    from interactions.models import Message

    if job["kind"] == "reply":
        sender = get_user_model().objects.get(pk=job["sender_id"])
        with connection.execute_wrapper(KillAfter(fragment, before)):
            create_reply(job["interaction_id"], sender=sender, body=job["body"])
    elif job["kind"] == "deliver":
        message = Message.objects.select_related(
            "interaction__service", "interaction__contact"
        ).get(pk=job["message_id"])
        if point == "deliver-after-twilio":
            # The first read of the message after Twilio answered is record_status's lock.
            from occ.lib import channels

            real = channels.adapter_for

            def transport_then_arm(channel):
                transport = real(channel)
                send = transport.send

                def send_and_arm(msg):
                    result = send(msg)
                    connection.execute_wrappers.append(KillAfter(fragment, before))
                    return result

                transport.send = send_and_arm
                return transport

            channels.adapter_for = transport_then_arm
            deliver(message)
        else:
            with connection.execute_wrapper(KillAfter(fragment, before)):
                deliver(message)
    print("survived")


if __name__ == "__main__":
    main()
