"""Getting TUF metadata and targets over a village link that drops, or from a stick.

python-tuf downloads each file whole: a link that drops at 90 % of a 20 MB patch starts again
from zero. ``ResumableFetcher`` keeps what arrived of a *target* file (``partial_dir``) and
asks for the rest with an HTTP Range request next time; TUF still checks the length and hash
of the whole file, so a partial file from a tampered or changed target is refused (and then
dropped, see ``drop_partials``). Metadata files are small and change between versions: they
are always fetched whole.

``file:`` URLs read a folder (a repository copied onto a USB stick) through the same path.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import requests
from tuf.api.exceptions import DownloadError, DownloadHTTPError
from tuf.ngclient.fetcher import FetcherInterface

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
CONNECT_TIMEOUT = 15.0
READ_TIMEOUT = 60.0  # a stalled link fails and resumes later instead of hanging


class ResumableFetcher(FetcherInterface):
    """A tuf fetcher: HTTP(S) with resume for targets, and ``file:`` folders.

    ``targets_prefix``: URLs starting with it are target files (resumable); others metadata.
    ``cut_after``: tests only, raise after that many bytes of one response (a dropped link).
    """

    def __init__(
        self,
        partial_dir: Path,
        targets_prefix: str,
        *,
        session: requests.Session | None = None,
        ca_file: str | None = None,
    ) -> None:
        self.partial_dir = partial_dir
        self.targets_prefix = targets_prefix
        self.session = session or requests.Session()
        if ca_file:
            self.session.verify = ca_file
        self.cut_after: int | None = None
        self.resumed_from: dict[str, int] = {}  # url -> bytes reused from a partial file
        self._progress: Callable[[int], None] = lambda _n: None

    # tufup calls this before each target download
    def attach_progress_hook(self, hook: Callable[..., object], bytes_expected: int) -> None:
        seen = [0]

        def progress(n: int) -> None:
            seen[0] += n
            hook(bytes_downloaded=seen[0], bytes_expected=bytes_expected)

        self._progress = progress

    def partial_path(self, url: str) -> Path:
        return self.partial_dir / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".part")

    def drop_partials(self) -> None:
        for p in self.partial_dir.glob("*.part"):
            p.unlink(missing_ok=True)

    def _fetch(self, url: str) -> Iterator[bytes]:
        if url.startswith("file:"):
            return self._fetch_file(url)
        if url.startswith(self.targets_prefix):
            return self._fetch_resumable(url)
        return self._fetch_whole(url)

    def _fetch_file(self, url: str) -> Iterator[bytes]:
        path = Path(unquote(urlparse(url).path))
        if path.drive == "" and len(urlparse(url).path) > 2 and urlparse(url).path[2] == ":":
            path = Path(unquote(urlparse(url).path.lstrip("/")))  # file:///C:/... on Windows
        if not path.is_file():
            raise DownloadHTTPError(f"{path} not found", 404)

        def chunks() -> Iterator[bytes]:
            with open(path, "rb") as f:
                while chunk := f.read(CHUNK):
                    yield chunk

        return chunks()

    def _get(self, url: str, headers: dict[str, str]) -> requests.Response:
        try:
            resp = self.session.get(
                url, headers=headers, stream=True, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)
            )
        except requests.RequestException as exc:
            raise DownloadError(f"{url}: {exc}") from exc
        if resp.status_code >= 400:
            status = resp.status_code
            resp.close()
            raise DownloadHTTPError(f"{url}: HTTP {status}", status)
        return resp

    def _fetch_whole(self, url: str) -> Iterator[bytes]:
        resp = self._get(url, {})

        def chunks() -> Iterator[bytes]:
            try:
                for chunk in resp.iter_content(CHUNK):
                    if chunk:
                        yield chunk
            except requests.RequestException as exc:
                raise DownloadError(f"{url}: {exc}") from exc
            finally:
                resp.close()

        return chunks()

    def _fetch_resumable(self, url: str) -> Iterator[bytes]:
        self.partial_dir.mkdir(parents=True, exist_ok=True)
        part = self.partial_path(url)
        have = part.stat().st_size if part.exists() else 0
        resp = self._get(url, {"Range": f"bytes={have}-"} if have else {})
        if have and resp.status_code != 206:
            have = 0  # the server ignored the range: start again
            part.unlink(missing_ok=True)
        self.resumed_from[url] = have
        if have:
            log.info("resuming %s at byte %d", url.rsplit("/", 1)[-1], have)

        def chunks() -> Iterator[bytes]:
            sent = 0
            try:
                if have:
                    with open(part, "rb") as f:
                        while chunk := f.read(CHUNK):
                            yield chunk
                with open(part, "ab") as out:
                    for chunk in resp.iter_content(CHUNK):
                        if not chunk:
                            continue
                        if self.cut_after is not None and sent + len(chunk) > self.cut_after:
                            keep = self.cut_after - sent
                            out.write(chunk[:keep])
                            out.flush()
                            raise DownloadError(f"{url}: connection cut (test)")
                        out.write(chunk)
                        out.flush()
                        sent += len(chunk)
                        self._progress(len(chunk))
                        yield chunk
            except requests.RequestException as exc:
                raise DownloadError(f"{url}: {exc}") from exc
            finally:
                resp.close()
            # The whole file went through: TUF checks it now; a next attempt starts afresh.
            part.unlink(missing_ok=True)

        return chunks()
