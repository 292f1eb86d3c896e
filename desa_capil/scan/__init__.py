"""Getting pages in and making them small and readable. No Qt here: the UI calls these
functions from worker threads.

* ``sources``: ``import_file`` / ``import_bytes`` / ``from_camera`` -> ``RawPage``
* ``pipeline``: ``process(raw, rotate=0, mode=None)`` -> ``ProcessedPage``; ``thumbnail``
* ``pdf``: ``assemble_pdf(pages)`` -> one PDF per document, page images not re-encoded
* ``watch``: ``FolderWatcher`` for scanners that save into a folder
* ``scanner``: ``ScannerBackend`` (``SaneBackend``, ``WiaBackend``), ``available_backends``
"""
