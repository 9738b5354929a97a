"""What each figure of a report means, in words: written on the page, used as the CSV's descriptions.

The computation is in reports/selectors.py; the two must say the same thing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MEASURES = {
    "opened": (
        pgettext_lazy("reports", "Conversations opened"),
        _(
            "Conversations created in the range: a customer's first message opened them. "
            "The range is whole days in the chosen time zone, the end day included."
        ),
    ),
    "closed": (
        pgettext_lazy("reports", "Conversations closed"),
        _("Conversations closed in the range, whenever they were opened."),
    ),
    "abandoned": (
        pgettext_lazy("reports", "Abandoned in the queue"),
        _(
            "Conversations closed in the range that were never assigned to an agent "
            "(the customer was never served)."
        ),
    ),
    "first_response": (
        pgettext_lazy("reports", "First-response time"),
        _(
            "From the customer's first message to the first reply an agent sent, over the "
            "conversations opened in the range that got a reply."
        ),
    ),
    "resolution": (
        pgettext_lazy("reports", "Resolution time"),
        _(
            "From the customer's first message to the close, over the conversations closed in the range."
        ),
    ),
    "queue_wait": (
        pgettext_lazy("reports", "Waiting time in the queue"),
        _(
            "From entering the queue to the first assignment to an agent (a later transfer does "
            "not count), over the conversations opened in the range that were assigned."
        ),
    ),
    "sla": (
        pgettext_lazy("reports", "SLA breaches"),
        _(
            "Conversations opened in the range whose service level (e.g. a first reply within "
            "N minutes) was missed."
        ),
    ),
    "csat": (
        pgettext_lazy("reports", "Customer satisfaction (CSAT)"),
        _(
            "Customers' answers from 1 to 5 after a conversation closed in the range: the average "
            "and how many gave each score."
        ),
    ),
    "volume": (
        pgettext_lazy("reports", "Volume by hour and weekday"),
        _(
            "Conversations opened in the range, by the hour and the weekday of their first message "
            "in the chosen time zone."
        ),
    ),
    "percentiles": (
        pgettext_lazy("reports", "Median and 90th percentile"),
        _(
            "Half of the conversations took less than the median, nine in ten less than the 90th "
            "percentile (interpolated between the two nearest values)."
        ),
    ),
}


def title(key: str) -> str:
    return str(MEASURES[key][0])


def definition(key: str) -> str:
    return str(MEASURES[key][1])
