import pytest

from desa_capil.domain.status import (
    EDITABLE,
    OFFICE_STATUSES,
    TERMINAL,
    TRANSITIONS,
    Actor,
    Status,
    TransitionError,
    allowed,
    check_transition,
    label,
    next_statuses,
)

S, V, O = Status, Actor.VILLAGE, Actor.OFFICE  # noqa: E741 - short names keep the tables readable


def test_every_status_has_an_entry_and_labels() -> None:
    assert set(TRANSITIONS) == set(Status)
    for s in Status:
        assert label(s, "id") and label(s, "en")


@pytest.mark.parametrize(
    ("a", "b", "who"),
    [
        (S.DRAFT, S.READY, V),
        (S.READY, S.DRAFT, V),
        (S.READY, S.SENDING, V),
        (S.SENDING, S.SENT, V),
        (S.SENT, S.IN_REVIEW, O),
        (S.IN_REVIEW, S.NEEDS_FIX, O),
        (S.NEEDS_FIX, S.SENDING, V),  # addendum sealed at the village
        (S.NEEDS_FIX, S.SENT, O),  # the office received the addendum
        (S.IN_REVIEW, S.REJECTED, O),
        (S.PROCESSING, S.FINISHED, O),
        (S.FINISHED, S.DISPATCHED, O),
        (S.DISPATCHED, S.ARRIVED, V),
        (S.ARRIVED, S.HANDED_OVER, V),
    ],
)
def test_allowed(a: Status, b: Status, who: Actor) -> None:
    assert allowed(a, b, who)
    check_transition(a, b, who)


@pytest.mark.parametrize(
    ("a", "b", "who"),
    [
        (S.DRAFT, S.SENT, V),  # cannot skip sealing
        (S.SENT, S.FINISHED, V),  # the village never invents an office decision
        (S.DISPATCHED, S.ARRIVED, O),  # arrival is the village's fact
        (S.REJECTED, S.SENT, O),  # rejected is final
        (S.HANDED_OVER, S.ARRIVED, V),  # no going back after hand-over
        (S.FINISHED, S.HANDED_OVER, V),  # must arrive first
        (S.DRAFT, S.DRAFT, V),
    ],
)
def test_refused(a: Status, b: Status, who: Actor) -> None:
    assert not allowed(a, b, who)
    with pytest.raises(TransitionError) as info:
        check_transition(a, b, who)
    assert info.value.current is a and info.value.target is b


def test_derived_sets() -> None:
    assert TERMINAL == {S.REJECTED, S.HANDED_OVER}
    assert S.ARRIVED not in OFFICE_STATUSES and S.FINISHED in OFFICE_STATUSES
    assert S.SENT not in EDITABLE and S.NEEDS_FIX in EDITABLE
    assert next_statuses(S.ARRIVED, V) == [S.HANDED_OVER]
    assert next_statuses(S.ARRIVED, O) == []


def test_every_status_reachable_from_draft() -> None:
    seen, todo = {S.DRAFT}, [S.DRAFT]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(Status)
