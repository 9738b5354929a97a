"""Stored routing reasons (English, the audit trail) shown in the reader's language."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import translation

from interactions import reasons
from interactions.routing import AgentLoad, choose_agent

REPO = Path(__file__).resolve().parents[2]


def example(pattern: str) -> str:
    """A stored reason the pattern matches: each named group filled with a plausible value."""
    values = {"at": "2026-12-01 08:07:00", "count": "3", "open": "1", "max": "2"}
    values |= {"minutes": "5", "hours": "24", "name": "alex", "source": "Sales"}
    values |= {"target": "Support", "was": "Resolved"}
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], pattern)
    return text.replace("\\(", "(").replace("\\)", ")")


def routing_reason() -> str:
    decision = choose_agent(
        [
            AgentLoad(1, 0, 2, None, frozenset({1})),
            AgentLoad(2, 1, 2, datetime(2026, 12, 1, 8, 7, tzinfo=UTC), frozenset({1})),
        ]
    )
    assert decision is not None
    return decision.reason


def test_routings_own_reason_reads_in_italian():
    stored = routing_reason()
    assert stored.startswith("least loaded of 2 available agent(s)")
    with translation.override("it"):
        shown = reasons.describe(stored)
    assert (
        shown == "il meno carico degli agenti disponibili (2): 0 aperte su 2; mai assegnato prima"
    )


@pytest.mark.parametrize("pattern", [p for p, _ in reasons.PATTERNS])
def test_every_pattern_matches_its_example_and_has_its_italian(pattern):
    stored = example(pattern)
    with translation.override("it"):
        shown = reasons.describe(stored)
    assert shown != stored
    for value in ("alex", "Sales", "Support", "Resolved"):
        assert (value in shown) == (value in stored)


def test_a_reason_no_pattern_knows_is_shown_as_stored_and_parts_are_kept_apart():
    with translation.override("it"):
        assert reasons.describe("imported from the old system") == "imported from the old system"
        assert (
            reasons.describe("first-response target of 5 min missed; no other agent available")
            == "obiettivo di prima risposta di 5 min mancato; nessun altro agente disponibile"
        )
    assert reasons.describe("") == ""


def test_the_scripts_apply_the_same_table(tmp_path):
    """static/js/lib/reasons.js, under node, with the table the page gives it, agrees with Python."""
    with translation.override("it"):
        table = reasons.table()
        cases = {example(p): reasons.describe(example(p)) for p, _ in reasons.PATTERNS}
        cases[routing_reason()] = reasons.describe(routing_reason())
    script = tmp_path / "check.mjs"
    script.write_text(
        f"const R = await import({json.dumps((REPO / 'static/js/lib/reasons.js').as_uri())});\n"
        f"const rows = R.compile({json.dumps(table)});\n"
        f"const cases = {json.dumps(cases)};\n"
        "const out = {};\n"
        "for (const k of Object.keys(cases)) out[k] = R.describe(k, rows);\n"
        "console.log(JSON.stringify(out));\n"
    )
    try:
        ran = subprocess.run(["node", str(script)], capture_output=True, text=True, check=True)
    except FileNotFoundError:
        pytest.skip("needs Node.js")
    assert json.loads(ran.stdout) == cases
