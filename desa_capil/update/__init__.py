"""Signed updates (TUF through tufup), from the central server or a folder on a stick (Qt-free).

``publish``: the vendor side: a TUF repository of app bundles (full archives + bsdiff patches).
``fetch``: a tuf fetcher that resumes a cut download where it stopped (HTTP Range, partial
files kept), and reads a folder on a stick the same way.
``client``: check, download, verify and install a new version beside the current one (the
previous one is kept for rollback); the minimum-version announcement; when not to update.
"""
