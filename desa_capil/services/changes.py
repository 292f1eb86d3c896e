"""What an operation changed, so that pages reload only when it concerns them (Anki's OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    """Ids of what an operation touched.

    applications: applications whose status or data (applicant, service, notes) changed: what
        lists, counts and recaps show.
    batches: batches created, reopened or cancelled.
    settings: setting keys written.
    pages: applications whose papers changed while their status stayed (a page added, turned,
        moved or deleted): only the intake shows those.
    handovers: applications whose documents from the office arrived or were handed over.
    """

    applications: frozenset[str] = field(default_factory=frozenset)
    batches: frozenset[str] = field(default_factory=frozenset)
    settings: frozenset[str] = field(default_factory=frozenset)
    pages: frozenset[str] = field(default_factory=frozenset)
    handovers: frozenset[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (self.applications or self.batches or self.settings or self.pages or self.handovers)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.applications | other.applications,
            self.batches | other.batches,
            self.settings | other.settings,
            self.pages | other.pages,
            self.handovers | other.handovers,
        )

    @classmethod
    def of_papers(cls, application_id: str, status_moved: bool) -> Changes:
        """A page operation on one application: its papers, and its row when the status moved."""
        ids = frozenset({application_id})
        return cls(applications=ids if status_moved else frozenset(), pages=ids)
