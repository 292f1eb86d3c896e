"""The Disdukcapil office console: server-rendered pages over the same services as the API.

``mount(app, service, settings)`` adds it to the FastAPI app under ``/console``. Staff accounts
are made with ``python -m desa_capil.server.console staff add NAME --role admin`` (or by an admin
in the console itself).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from desa_capil.server.config import Settings
from desa_capil.server.db import create_schema
from desa_capil.server.service import CentralService

from . import models as _models  # noqa: F401 - registers the console tables before create_schema
from .language import t
from .queries import seed_reasons
from .routes import CSP, HERE, PREFIX, Forbidden, NotSignedIn, make_router, make_templates

__all__ = ["DEMO_PASSWORD", "PREFIX", "create_demo_staff", "mount"]


def mount(app: FastAPI, service: CentralService, settings: Settings) -> None:
    create_schema(service.db)  # the console's tables, if the service was opened before import
    seed_reasons(service.db)
    app.include_router(make_router(service, settings))
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="console-static")
    templates = make_templates()

    async def not_signed_in(request: Request, _exc: Exception) -> Response:
        if request.method == "GET":
            return RedirectResponse(f"{PREFIX}/masuk", status_code=303)
        return HTMLResponse(t("Sesi berakhir. Masuk lagi."), status_code=401)

    async def forbidden(request: Request, exc: Exception) -> Response:
        message = exc.message if isinstance(exc, Forbidden) else "Tidak diizinkan."
        resp = templates.TemplateResponse(
            request,
            "error.html",
            {"staff": None, "flash": None, "csrf": "", "message": message},
            status_code=403,
        )
        resp.headers["content-security-policy"] = CSP
        return resp

    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(Forbidden, forbidden)


# The demo's staff (``python3 dev.py demo``): a throw-away server on loopback, so a printed
# password is fine there and nowhere else.
DEMO_PASSWORD = "konsol-demo-17"
DEMO_STAFF = (
    ("admin", "Admin Disdukcapil (demo)", "admin"),
    ("verifikator", "Verifikator (demo)", "verifikator"),
    ("operator", "Operator (demo)", "operator"),
)


def create_demo_staff(service: CentralService) -> list[str]:
    """Make the demo's three staff accounts (one per role); returns their user names."""
    from .auth import create_staff
    from .models import Role

    names = []
    for username, full_name, role in DEMO_STAFF:
        try:
            create_staff(service.db, username, full_name, Role(role), DEMO_PASSWORD, "demo")
        except ValueError:
            pass  # a kept demo home (DESA_CAPIL_DEMO_HOME) has them already
        names.append(username)
    return names
