"""Business hours through the API: the console's forms validate, the console's action saves."""

from __future__ import annotations

from datetime import time

from audit.models import AuditEntry
from services.models import Closure, OpeningRange

URL = "/api/v1/services/{}/hours/"

WEEK = {
    "business_hours_enabled": True,
    "time_zone": "Asia/Tokyo",
    "out_of_hours_reply": True,
    "out_of_hours_reply_every_hours": 6,
    "out_of_hours_action": "close",
    "ranges": [
        {"weekday": 0, "opens": "09:00", "closes": "12:30"},
        {"weekday": 0, "opens": "14:00", "closes": "18:00"},
        {"weekday": 5, "opens": "10:00", "closes": "13:00"},
    ],
    "closures": [{"starts_on": "2026-12-24", "ends_on": "2026-12-26", "note": "Natale"}],
}


def test_an_administrator_writes_and_reads_the_business_hours(admin_api, service):
    response = admin_api.put(URL.format(service.pk), WEEK, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == WEEK
    service.refresh_from_db()
    assert service.business_hours_enabled and service.time_zone == "Asia/Tokyo"
    assert (service.out_of_hours_action, service.out_of_hours_reply_every_hours) == ("close", 6)
    assert sorted(OpeningRange.objects.values_list("weekday", "opens", "closes")) == [
        (0, time(9), time(12, 30)),
        (0, time(14), time(18)),
        (5, time(10), time(13)),
    ]
    assert Closure.objects.get().note == "Natale"
    assert admin_api.get(URL.format(service.pk)).json() == WEEK


def test_left_out_fields_keep_their_values_and_unchanged_rows_stay(admin_api, service):
    admin_api.put(URL.format(service.pk), WEEK, format="json")
    kept = set(OpeningRange.objects.values_list("pk", flat=True))
    audited = AuditEntry.objects.count()
    response = admin_api.patch(URL.format(service.pk), {"time_zone": "Europe/Rome"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["ranges"] == WEEK["ranges"]
    assert set(OpeningRange.objects.values_list("pk", flat=True)) == kept
    assert AuditEntry.objects.count() == audited + 1  # the time zone only
    # A whole new list replaces the ranges; an empty one removes the closures.
    admin_api.patch(
        URL.format(service.pk),
        {"ranges": [{"weekday": 2, "opens": "08:00", "closes": "20:00"}], "closures": []},
        format="json",
    )
    assert list(OpeningRange.objects.values_list("weekday", flat=True)) == [2]
    assert not Closure.objects.exists()


def test_the_console_rules_refuse_what_the_page_refuses(admin_api, service):
    bad = {
        **WEEK,
        "time_zone": "Mars/Olympus",
        "ranges": [{"weekday": 1, "opens": "18:00", "closes": "09:00"}],
        "closures": [{"starts_on": "2026-12-26", "ends_on": "2026-12-24"}],
    }
    response = admin_api.put(URL.format(service.pk), bad, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "Not a time zone" in errors["time_zone"][0]
    assert "closing time must be after the opening time" in errors["ranges"][0]["closes"][0]
    assert "cannot be before the first" in errors["closures"][0]["ends_on"][0]
    zero = admin_api.patch(
        URL.format(service.pk), {"out_of_hours_reply_every_hours": 0}, format="json"
    )
    assert zero.status_code == 400
    service.refresh_from_db()
    assert not service.business_hours_enabled and not OpeningRange.objects.exists()


def test_agents_read_them_but_only_administrators_write(agent_api, service):
    assert agent_api.get(URL.format(service.pk)).status_code == 200
    assert agent_api.put(URL.format(service.pk), WEEK, format="json").status_code == 403
    assert not OpeningRange.objects.exists()
