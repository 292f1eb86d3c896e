"""What an operation changed, so that pages reload only when it concerns them (Anki's OpChanges).

Every change in the app is reported this way (``AppContext.notify``): there is no payload-less
"anything may have changed" signal any more, so a page never reloads for what it does not show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# Stands for "some records of this kind, ids not known": an operation that only counts what it
# did (a retention run, a return bundle's PDFs) still says *which kind* of data changed.
SOME = "*"


@dataclass(frozen=True)
class Changes:
    """Ids of what an operation touched.

    applications: applications whose status or data (applicant, service, notes) changed: what
        lists, counts and recaps show.
    batches: batches created, reopened, cancelled, retried, sent, set aside or taken by stick.
    settings: setting keys written (incl. the enrollment: server address, village identity).
    pages: applications whose papers changed while their status stayed (a page added, turned,
        moved or deleted): only the intake shows those.
    handovers: applications whose documents from the office arrived (a signed PDF included) or
        were handed over.
    events: village events (arrived, handed over) sent, answered or set aside by the office.
    """

    applications: frozenset[str] = field(default_factory=frozenset)
    batches: frozenset[str] = field(default_factory=frozenset)
    settings: frozenset[str] = field(default_factory=frozenset)
    pages: frozenset[str] = field(default_factory=frozenset)
    handovers: frozenset[str] = field(default_factory=frozenset)
    events: frozenset[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (
            self.applications or self.batches or self.settings or self.pages or self.handovers or self.events
        )

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.applications | other.applications,
            self.batches | other.batches,
            self.settings | other.settings,
            self.pages | other.pages,
            self.handovers | other.handovers,
            self.events | other.events,
        )

    @classmethod
    def of_papers(cls, application_id: str, status_moved: bool) -> Changes:
        """A page operation on one application: its papers, and its row when the status moved."""
        ids = frozenset({application_id})
        return cls(applications=ids if status_moved else frozenset(), pages=ids)

    @classmethod
    def of_batch(cls, batch_id: str, application_ids: Iterable[str] = ()) -> Changes:
        """A batch whose state moved, with the applications inside it (their status moved too)."""
        return cls(applications=frozenset(application_ids), batches=frozenset({batch_id}))


def some(count: int) -> frozenset[str]:
    """`{SOME}` when an operation counted `count` > 0 records of a kind, else nothing."""
    return frozenset({SOME}) if count else frozenset()


if TYPE_CHECKING:
    from desa_capil.sync.usb_return import ReturnResult
    from desa_capil.sync.worker import PassResult


def pass_changes(result: PassResult) -> Changes:
    """What one online sync pass changed here: the office's status changes (lists and the
    hand-over page: a dispatched document may have arrived), the signed PDFs fetched, the
    batches sent or set aside, and the village events the office answered."""
    office = frozenset(result.office_changes)
    return Changes(
        applications=office,
        batches=frozenset(result.batches_sent) | frozenset(result.batches_parked),
        handovers=office | some(result.documents_downloaded),
        events=some(result.events_sent),
    )


def return_changes(result: ReturnResult) -> Changes:
    """What a return bundle from the office changed here (the same kinds as an online pass,
    plus the catalog setting when the bundle carried a newer one)."""
    from desa_capil.sync.catalog_update import VERSION_SETTING

    office = frozenset(result.application_ids)
    return Changes(
        applications=office,
        batches=frozenset(result.batches_refused) | some(result.batches_acknowledged),
        handovers=office | some(result.documents),
        events=some(result.events_answered),
        settings=frozenset({VERSION_SETTING}) if result.catalog_version else frozenset(),
    )
