"""desa_capil: offline-first civil-registration intake for village offices."""

__version__ = "0.1.0"
