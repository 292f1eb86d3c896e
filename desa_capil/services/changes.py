"""What an operation changed, so that pages reload only when it concerns them (Anki's OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    """Ids of what an operation touched.

    applications: applications whose status, data or papers changed.
    batches: batches created, reopened or cancelled.
    settings: setting keys written.
    """

    applications: frozenset[str] = field(default_factory=frozenset)
    batches: frozenset[str] = field(default_factory=frozenset)
    settings: frozenset[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (self.applications or self.batches or self.settings)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.applications | other.applications,
            self.batches | other.batches,
            self.settings | other.settings,
        )
