"""The central server's services, one module per area (the FastAPI full-stack template's
layout): ``core`` (what they share), ``access``, ``uploads``, ``batches``, ``changes``,
``events``, ``applications``, ``documents``, ``dispatch``, ``villages``, ``catalog``.

Routes, the CLI and the console call them through ``desa_capil.server.service.CentralService``,
which builds them and keeps the one set of public names.
"""
