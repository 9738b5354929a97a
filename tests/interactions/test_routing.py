"""The routing decision, as a pure function: no database."""

from datetime import UTC, datetime, timedelta

from interactions.routing import AgentLoad, QueuedItem, choose_agent, plan_assignments

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def load(agent_id, open_, cap, idle_minutes=None, services=(1,)):
    last = None if idle_minutes is None else T0 - timedelta(minutes=idle_minutes)
    return AgentLoad(agent_id, open_, cap, last, frozenset(services))


def test_full_agent_gets_nothing():
    assert choose_agent([load(1, 2, 2)]) is None


def test_least_loaded_agent_wins():
    assert choose_agent([load(1, 2, 5), load(2, 1, 5), load(3, 3, 5)]).agent_id == 2


def test_tie_goes_to_agent_idle_longest():
    assert (
        choose_agent([load(1, 1, 3, idle_minutes=5), load(2, 1, 3, idle_minutes=50)]).agent_id == 2
    )


def test_never_assigned_agent_counts_as_idle_longest():
    assert choose_agent([load(1, 0, 3, idle_minutes=500), load(2, 0, 3)]).agent_id == 2


def test_reason_names_the_load():
    decision = choose_agent([load(7, 1, 4)])
    assert "1 of 4" in decision.reason


def test_plan_never_passes_a_cap_and_serves_oldest_first():
    queue = [QueuedItem(i, 1, T0 + timedelta(seconds=10 - i)) for i in range(1, 6)]
    plan = plan_assignments(queue, [load(1, 0, 1), load(2, 1, 2)], now=T0)
    # two free places: the two oldest interactions (ids 5 and 4) get them
    assert [iid for iid, _ in plan] == [5, 4]
    assert sorted(d.agent_id for _, d in plan) == [1, 2]


def test_plan_skips_an_item_nobody_serves_and_serves_the_next():
    queue = [QueuedItem(1, 2, T0), QueuedItem(2, 1, T0 + timedelta(seconds=1))]
    plan = plan_assignments(queue, [load(1, 0, 1, services=(1,))], now=T0)
    assert [iid for iid, _ in plan] == [2]
