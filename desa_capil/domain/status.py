"""The application status machine (DESIGN.md, "Records and their life").

Every status change names who makes it: the village (local actions: drafting,
sealing, hand-over) or the office (facts that come from the server). The client
never invents an office status locally; the server never accepts a village-only
status from the office side. Both sides use this one table.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    READY = "ready"
    SENDING = "sending"
    SENT = "sent"
    IN_REVIEW = "in_review"
    PROCESSING = "processing"
    NEEDS_FIX = "needs_fix"
    REJECTED = "rejected"
    FINISHED = "finished"
    DISPATCHED = "dispatched"
    ARRIVED = "arrived"
    HANDED_OVER = "handed_over"


class Actor(StrEnum):
    VILLAGE = "village"
    OFFICE = "office"


class TransitionError(ValueError):
    """A status change the machine does not allow."""

    def __init__(self, current: Status, target: Status, actor: Actor) -> None:
        super().__init__(f"{actor.value} may not move an application from {current.value} to {target.value}")
        self.current = current
        self.target = target
        self.actor = actor


S, V, OF = Status, Actor.VILLAGE, Actor.OFFICE

# current -> {target: who may make that change}
TRANSITIONS: dict[Status, dict[Status, Actor]] = {
    S.DRAFT: {S.READY: V},
    # Back to draft when the operator edits a ready application again.
    S.READY: {S.DRAFT: V, S.SENDING: V},
    # SENDING -> SENT once the server acknowledged the batch manifest.
    # SENDING -> READY when a batch is given up before the server took it; an addendum given
    # up that way goes back to NEEDS_FIX (the office's request for a fix still stands).
    S.SENDING: {S.SENT: V, S.READY: V, S.NEEDS_FIX: V},
    # The office may answer straight away with any of its decisions.
    S.SENT: {S.IN_REVIEW: OF, S.PROCESSING: OF, S.NEEDS_FIX: OF, S.REJECTED: OF, S.FINISHED: OF},
    S.IN_REVIEW: {S.PROCESSING: OF, S.NEEDS_FIX: OF, S.REJECTED: OF, S.FINISHED: OF},
    S.PROCESSING: {S.NEEDS_FIX: OF, S.REJECTED: OF, S.FINISHED: OF},
    # The village seals an addendum (SENDING); the server records it as SENT.
    S.NEEDS_FIX: {S.SENDING: V, S.SENT: OF, S.REJECTED: OF},
    S.REJECTED: {},
    S.FINISHED: {S.DISPATCHED: OF},
    S.DISPATCHED: {S.ARRIVED: V},
    S.ARRIVED: {S.HANDED_OVER: V},
    S.HANDED_OVER: {},
}
del S, V, OF

OFFICE_STATUSES: frozenset[Status] = frozenset(
    t for targets in TRANSITIONS.values() for t, who in targets.items() if who is Actor.OFFICE
)
# The village may edit only these; later the application belongs to the office.
EDITABLE: frozenset[Status] = frozenset({Status.DRAFT, Status.READY, Status.NEEDS_FIX})
TERMINAL: frozenset[Status] = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
# Statuses in which the office holds the request and the village waits for an answer.
AWAITING_OFFICE: frozenset[Status] = frozenset({Status.SENT, Status.IN_REVIEW, Status.PROCESSING})


def allowed(current: Status, target: Status, actor: Actor) -> bool:
    return TRANSITIONS[current].get(target) is actor


def check_transition(current: Status, target: Status, actor: Actor) -> None:
    """Raise TransitionError unless `actor` may move `current` to `target`."""
    if not allowed(current, target, actor):
        raise TransitionError(current, target, actor)


def next_statuses(current: Status, actor: Actor) -> list[Status]:
    return [t for t, who in TRANSITIONS[current].items() if who is actor]


# Labels for every language the app speaks. The UI picks by the current language.
LABELS: dict[Status, tuple[str, str]] = {
    Status.DRAFT: ("Draf", "Draft"),
    Status.READY: ("Siap dikirim", "Ready to send"),
    Status.SENDING: ("Sedang dikirim", "Sending"),
    Status.SENT: ("Terkirim", "Sent"),
    Status.IN_REVIEW: ("Diperiksa", "In review"),
    Status.PROCESSING: ("Diproses", "Processing"),
    Status.NEEDS_FIX: ("Perlu perbaikan", "Needs fix"),
    Status.REJECTED: ("Ditolak", "Rejected"),
    Status.FINISHED: ("Selesai", "Finished"),
    Status.DISPATCHED: ("Dikirim ke desa", "Dispatched to village"),
    Status.ARRIVED: ("Siap dibagikan", "Ready to hand over"),
    Status.HANDED_OVER: ("Sudah diserahkan", "Handed over"),
}


def label(status: Status, lang: str = "id") -> str:
    ind, eng = LABELS[status]
    return eng if lang.startswith("en") else ind
