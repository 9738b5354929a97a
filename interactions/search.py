"""Search of conversations (a selector): the desk's search page and the API's /search/ share it.

Filters: words of messages, a contact's name or number, label, close
reason, service, agent, and a date range; always inside what the user may
see (`interactions.selectors.visible_interactions`, the one rule), or
inside the agent's Closed view.

On PostgreSQL the words are a full-text search (`SearchVector` over the
unaccented body with the `simple` configuration: no stemming, so Italian
and English are treated alike) served by the GIN index
`message_body_fts`; names and numbers match any part through the
trigram indexes `contact_name_trgm` and `contact_address_trgm` (the
migration interactions/0004 creates them). Elsewhere (SQLite) the same
filters are `LIKE` matches over the same folded text (occ_unaccent is
registered on each SQLite connection: interactions.apps): slower, the same
answers for plain words (a word matches the start of a word there, the whole
word on PostgreSQL).

A result is an interaction with the message that matched (with words),
or with its newest message (without); its snippet is that message around
the first match, escaped, with the matched words in <mark>.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, Func, Q, QuerySet, TextField
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from interactions import selectors
from interactions.models import Contact, Interaction, InteractionState, Message

PER_PAGE = 25
SNIPPET_CHARS = 160


@dataclass(frozen=True)
class Filters:
    text: str = ""  # words of a message (all of them)
    contact: str = ""  # part of a name (the agent's or WhatsApp's) or of a number
    label_id: int | None = None
    close_reason_id: int | None = None
    service_id: int | None = None
    agent_id: int | None = None
    date_from: date | None = None  # of the matching message (with words), else of the conversation
    date_to: date | None = None  # inclusive
    closed_only: bool = False  # the agent's Closed view: what they held when it was closed

    @property
    def words(self) -> list[str]:
        return [w for w in re.split(r"\W+", fold(self.text)) if w][:8]

    def is_empty(self) -> bool:
        return not (
            self.words
            or self.contact.strip()
            or self.label_id
            or self.close_reason_id
            or self.service_id
            or self.agent_id
            or self.date_from
            or self.date_to
        )


@dataclass
class Hit:
    interaction: Interaction
    message: Message | None
    snippet: SafeString = field(default_factory=lambda: SafeString(""))
    matched: bool = False  # the message is the one the words matched


@dataclass
class Page:
    hits: list[Hit]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


# --- matching --------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents, one character for each (so positions map back to the text)."""
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        out.append((base[:1] or ch).lower())
    return "".join(out)


class SearchableName(Func):
    """A contact's names, lower case and unaccented: the expression `contact_name_trgm` indexes."""

    arg_joiner = " || ' ' || "
    template = "lower(occ_unaccent((%(expressions)s)))"
    output_field = TextField()

    def __init__(self, prefix: str = ""):
        super().__init__(F(f"{prefix}name"), F(f"{prefix}profile_name"))


class Unaccented(Func):
    function = "occ_unaccent"
    output_field = TextField()


def _number_part(value: str) -> str | None:
    """The digits of a number typed in any shape ("+39 333-12"), or None for a name."""
    if re.fullmatch(r"[\s+()\-./\d]+", value) and sum(c.isdigit() for c in value) >= 3:
        return re.sub(r"\D", "", value)
    return None


def matching_contacts(value: str) -> QuerySet[Contact]:
    value = value.strip()
    digits = _number_part(value)
    if digits:
        return Contact.objects.filter(address__contains=digits)
    return Contact.objects.alias(names=SearchableName()).filter(names__contains=fold(value))


def _message_matches(words: list[str]) -> Q | None:
    if not words:
        return None
    if connection.vendor == "postgresql":
        return Q(
            body_search=SearchQuery(" ".join(words), config="simple", search_type="plain"),
        )
    q = Q()
    for word in words:  # folded already: lower case, no accents, like occ_unaccent on SQLite
        q &= Q(body_folded__contains=word)
    return q


def _with_body_search(rows: QuerySet[Message]) -> QuerySet[Message]:
    if connection.vendor != "postgresql":
        return rows.alias(body_folded=Unaccented(F("body")))
    # Exactly the expression of the index message_body_fts.
    return rows.alias(body_search=SearchVector(Unaccented(F("body")), config="simple"))


# Below this many estimated matches, a word is "rare": read its matches from the GIN index and
# sort them, instead of walking the messages newest first until a page is full.
RARE_MATCHES = 20_000


def estimated_matches(words: list[str]) -> int | None:
    """PostgreSQL's own estimate of the messages holding every word (None elsewhere): one EXPLAIN."""
    if connection.vendor != "postgresql":
        return None
    rows = _with_body_search(Message.objects.all()).filter(_message_matches(words)).values("pk")
    sql_text, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql_text, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _newest_first(words: list[str]):
    """Newest first. For a common word, by the primary key's order: the newest messages hold
    a page of matches. For a rare one that walk would read the whole table (PostgreSQL has
    no better plan for ORDER BY … LIMIT with a filter it cannot estimate well), so the order
    is on an expression no index serves: the plan reads the word's matches from the GIN index
    and sorts them."""
    estimate = estimated_matches(words)
    if estimate is not None and estimate < RARE_MATCHES:
        return (F("id") + 0).desc()
    return F("id").desc()


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- the search ------------------------------------------------------------------------


# How many conversations an agent may see before their search takes them as a subquery.
# Up to this many, the ids go to the database as a list: PostgreSQL then plans a word
# search on the conversations it will meet (reading the newest messages, or the word's
# index and the conversations' together) instead of computing the text vector of every
# message of every one of them (docs/benchmarks.md, "Search and history": 169 → … ms).
VISIBLE_AS_LIST = 10_000


def _visible_to_agent(user):
    """The conversations an agent may see (visible_interactions), as a list of ids or a subquery."""
    ids = selectors.visible_interaction_ids(user)
    if ids is None:  # no agent profile: nothing
        return []
    found = [pk for (pk,) in ids[: VISIBLE_AS_LIST + 1]]
    return ids if len(found) > VISIBLE_AS_LIST else found


def conversation_filter(user, filters: Filters, prefix: str = "") -> Q:
    """The interactions `user` may see that pass every filter but the words and dates, as a Q.

    `prefix`: the path to the interaction ("interaction__" from a message),
    so a search of messages joins instead of going through a subquery.
    """
    p = prefix
    q = Q()
    if filters.closed_only:
        profile_id = selectors._profile_id(user)
        q &= Q(**{f"{p}agent_id": profile_id or 0, f"{p}state": InteractionState.CLOSED})
    else:
        if user is None or not user.is_authenticated:
            return Q(pk__in=[])
        if not selectors._sees_everything(user):
            q &= Q(**{f"{p}pk__in": _visible_to_agent(user)})
    if filters.contact.strip():
        q &= Q(**{f"{p}contact_id__in": matching_contacts(filters.contact).values("pk")})
    if filters.label_id:
        q &= Q(
            **{
                f"{p}pk__in": Interaction.labels.through.objects.filter(
                    label_id=filters.label_id
                ).values("interaction_id")
            }
        )
    if filters.close_reason_id:
        q &= Q(**{f"{p}close_reason_id": filters.close_reason_id})
    if filters.service_id:
        q &= Q(**{f"{p}service_id": filters.service_id})
    if filters.agent_id:
        q &= Q(**{f"{p}agent_id": filters.agent_id})
    return q


def search(user, filters: Filters, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of results, newest first (no total: counting a million rows is not worth it)."""
    page = max(1, page)
    start = (page - 1) * per_page
    words = filters.words
    if words:
        messages = _with_body_search(
            Message.objects.filter(conversation_filter(user, filters, "interaction__"))
        ).filter(_message_matches(words))
        if filters.date_from:
            messages = messages.filter(created_at__gte=_day_start(filters.date_from))
        if filters.date_to:
            messages = messages.filter(
                created_at__lt=_day_start(filters.date_to + timedelta(days=1))
            )
        found = list(
            messages.select_related(
                "interaction__service", "interaction__contact", "interaction__close_reason"
            ).order_by(_newest_first(words))[start : start + per_page + 1]
        )
        hits = [
            Hit(m.interaction, m, highlight(m.body, words), matched=True) for m in found[:per_page]
        ]
        return Page(hits, page, len(found) > per_page)

    rows = Interaction.objects.filter(conversation_filter(user, filters))
    if filters.date_from:
        rows = rows.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        rows = rows.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    # The Closed view: newest closed first (the index interaction_agent_closed); else newest first.
    order = ("-closed_at", "-pk") if filters.closed_only else ("-pk",)
    ordered = rows.select_related("service", "contact", "close_reason").order_by(*order)
    found_rows = list(ordered[start : start + per_page + 1])
    shown = found_rows[:per_page]
    last = selectors.last_messages([row.pk for row in shown])
    hits = []
    for row in shown:
        message = last.get(row.pk)
        hits.append(Hit(row, message, highlight(message.body if message else "", [])))
    return Page(hits, page, len(found_rows) > per_page)


# --- snippets --------------------------------------------------------------------------


def match_spans(body: str, words: list[str]) -> list[tuple[int, int]]:
    """Where the words (folded) start words of `body`: [(start, end)], in order, not overlapping."""
    if not words:
        return []
    folded = fold(body)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"
    )
    return [(m.start(), m.end()) for m in pattern.finditer(folded)]


def highlight(body: str, words: list[str], width: int = SNIPPET_CHARS) -> SafeString:
    """The part of `body` around the first match, HTML-escaped, the matches in <mark>."""
    body = " ".join(body.split())
    spans = match_spans(body, words)
    if spans and len(body) > width:
        first = spans[0][0]
        start = max(0, first - width // 3)
    else:
        start = 0
    end = min(len(body), start + width)
    parts = ["…" if start > 0 else ""]
    at = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        parts.append(escape(body[at:s]))
        parts.append("<mark>" + escape(body[s:e]) + "</mark>")
        at = e
    parts.append(escape(body[at:end]))
    if end < len(body):
        parts.append("…")
    return mark_safe("".join(parts))  # every piece of the text above went through escape()
