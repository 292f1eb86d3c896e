"""Use cases of the village desk, without Qt.

Each operation takes the database (and plain values), does one job the operator asked for, and
returns what it changed (`Changes`), so the UI can reload only the pages it concerns and tests
can call the operation without a window. Widgets call these through `ui.tasks.run_op`.
"""

from desa_capil.services.changes import Changes

__all__ = ["Changes"]
