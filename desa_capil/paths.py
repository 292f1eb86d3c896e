"""Where the app keeps its files. Every path comes from here, and from platformdirs.

``DESA_CAPIL_HOME`` puts data, config, cache and logs under one folder instead. Tests and
the demo mode use it so that they never touch the real user's folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "desa_capil"
APP_AUTHOR = "desa_capil"
HOME_ENV = "DESA_CAPIL_HOME"


KEY_DIR_NAME = "desa_capil-kunci"


@dataclass(frozen=True)
class AppPaths:
    data: Path
    config: Path
    cache: Path
    logs: Path
    # Where the data key file lives when the OS keyring cannot hold it; None: <config>/keys.
    key_dir: Path | None = None

    @property
    def keys(self) -> Path:
        return self.key_dir if self.key_dir is not None else self.config / "keys"

    @property
    def database(self) -> Path:
        return self.data / "desa_capil.sqlite3"

    @property
    def blobs(self) -> Path:
        return self.data / "blobs"

    @property
    def backups(self) -> Path:
        return self.data / "backups"

    def ensure(self) -> AppPaths:
        for p in (self.data, self.config, self.cache, self.logs):
            p.mkdir(parents=True, exist_ok=True)
        return self


def app_paths() -> AppPaths:
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home)
        return AppPaths(root / "data", root / "config", root / "cache", root / "logs")
    data = Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    config = Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))
    key_dir = None
    if _inside(config / "keys", data):
        # Windows: the config folder IS the data folder (%LOCALAPPDATA%\desa_capil\desa_capil),
        # the folder people copy to a stick. A key file there would travel with the data it
        # protects, so it gets a tree of its own (%LOCALAPPDATA%\desa_capil-kunci\...).
        key_dir = Path(platformdirs.user_data_dir(KEY_DIR_NAME, KEY_DIR_NAME))
    return AppPaths(
        data,
        config,
        Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)),
        Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
        key_dir,
    )


def _inside(path: Path, folder: Path) -> bool:
    a = os.path.normcase(os.path.abspath(path))
    b = os.path.normcase(os.path.abspath(folder))
    return a == b or a.startswith(b.rstrip("\\/") + os.sep)
