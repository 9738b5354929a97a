"""A separate OS process posting signed webhooks, for the concurrent PostgreSQL test.

Run as `python -m tests.interactions.concurrent_worker` with DJANGO_SETTINGS_MODULE
and DATABASE_URL (the test database) set; reads a JSON job from stdin:
{"threads": N, "messages": [{"From": ..., "MessageSid": ...}, ...]}.
Prints "ready", waits for a line "go" on stdin, posts every message from N
threads at once, and prints one JSON line with the status codes.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from urllib.parse import urlencode


def main() -> None:
    import django

    django.setup()
    from django.db import connections
    from django.test import Client
    from twilio.request_validator import RequestValidator

    job = json.loads(sys.stdin.readline())
    token = job["auth_token"]
    url = "http://testserver/whatsapp/twilio/inbound"
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    chunks = [job["messages"][i :: job["threads"]] for i in range(job["threads"])]
    barrier = threading.Barrier(job["threads"] + 1)

    def post_all(messages: list[dict]) -> None:
        client = Client()
        barrier.wait()
        for params in messages:
            signature = RequestValidator(token).compute_signature(url, params)
            response = client.post(
                "/whatsapp/twilio/inbound",
                data=urlencode(params),
                content_type="application/x-www-form-urlencoded",
                HTTP_X_TWILIO_SIGNATURE=signature,
            )
            with lock:
                statuses[response.status_code] += 1
        connections.close_all()

    threads = [threading.Thread(target=post_all, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    barrier.wait()
    for thread in threads:
        thread.join()
    print(json.dumps({str(k): v for k, v in statuses.items()}), flush=True)


if __name__ == "__main__":
    main()
