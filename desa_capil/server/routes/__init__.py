"""HTTP routes, one module per area: ``village`` (health, enrollment, catalog), ``batches``,
``changes``, ``events``, ``documents`` (village side), ``admin`` (the office API). The tus
upload routes are ``desa_capil.server.tus``; the office console is ``desa_capil.server.console``.
Each route checks its input, calls the service (``deps.ServiceDep``) and shapes the answer."""
