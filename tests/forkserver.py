"""Real child processes without paying the interpreter start and imports each time.

Kill tests start a Python child dozens of times and SIGKILL it at a random moment; most of
each round was the child importing the package (1-3 s on 2 busy cores), not the work that gets
cut. A ``ForkServer`` is one Python process that imported the given modules once; every
``spawn`` forks it into a new process that runs ``python -m module ...`` or
``python -c code ...`` exactly as a fresh interpreter would from there on: its own pid,
environment, working folder, stdin/stdout/stderr pipes, its own database connections and
files opened after the fork, and a SIGKILL cuts it like any other process. The server holds
no threads, files or connections when it forks (it only imported modules).

Linux only (fd passing over a Unix socket, pidfd to wait for a process that is not our child).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

_SERVER = r"""
import importlib, json, os, runpy, signal, socket, struct, sys, traceback
for name in sys.argv[2:]:
    importlib.import_module(name)
sock = socket.socket(fileno=int(sys.argv[1]))

def run_child(req, fds):
    sock.close()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    os.environ.clear()
    os.environ.update(req["env"])
    os.chdir(req["cwd"])
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    argv = req["argv"]
    code = 0
    try:
        if argv[0] == "-m":
            sys.argv = [argv[1], *argv[2:]]
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = ["-c", *argv[2:]]
            exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, int) and exc.code is not None:
            print(exc.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)

while True:
    msg, fds, _flags, _addr = socket.recv_fds(sock, 1 << 20, 3)
    if not msg:
        break
    req = json.loads(msg)
    if req["op"] == "spawn":
        pid = os.fork()
        if pid == 0:
            run_child(req, fds)
        for fd in fds:
            os.close(fd)
        sock.sendall(struct.pack("!q", pid))
    elif req["op"] == "reap":
        _pid, status = os.waitpid(req["pid"], 0)
        sock.sendall(struct.pack("!q", os.waitstatus_to_exitcode(status)))
"""


class Child:
    """The part of ``subprocess.Popen`` the kill tests use, for a forked child."""

    def __init__(self, server: ForkServer, pid: int, stdout: IO[bytes] | None, stderr: IO[bytes] | None):
        self._server = server
        self.pid = pid
        self.stdout = stdout
        self.stderr = stderr
        self.returncode: int | None = None
        self._pidfd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            self._reap()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not select.select([self._pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"forked child {self.pid}", timeout or 0.0)
            self._reap()
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)  # an unreaped child keeps its pid: never another process

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, timeout: float | None = None) -> tuple[bytes, bytes]:
        """Everything the child wrote, once it exited (like Popen.communicate)."""
        out, err = bytearray(), bytearray()
        streams = {s.fileno(): buf for s, buf in ((self.stdout, out), (self.stderr, err)) if s is not None}
        while streams:
            ready, _, _ = select.select(list(streams), [], [], timeout)
            if not ready:
                raise subprocess.TimeoutExpired(f"forked child {self.pid}", timeout or 0.0)
            for fd in ready:
                chunk = os.read(fd, 65536)
                if chunk:
                    streams[fd] += chunk
                else:
                    del streams[fd]
        self.wait(timeout)
        for s in (self.stdout, self.stderr):
            if s is not None:
                s.close()
        return bytes(out), bytes(err)

    def _reap(self) -> None:
        self.returncode = self._server._request({"op": "reap", "pid": self.pid})
        os.close(self._pidfd)


class ForkServer:
    def __init__(self, preload: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock = ours
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER, str(theirs.fileno()), *preload],
            env=dict(env if env is not None else os.environ),
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()

    def spawn(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        stdout: int | None = None,
        stderr: int | None = None,
    ) -> Child:
        """``argv`` as after ``python``: ``["-m", "pkg", ...]`` or ``["-c", code, ...]``.
        ``stdout``/``stderr``: ``subprocess.PIPE``, ``subprocess.DEVNULL`` or None (inherit)."""
        assert argv[0] in ("-m", "-c"), argv
        ours: list[IO[bytes] | None] = []
        theirs: list[int] = []
        devnull = os.open(os.devnull, os.O_RDWR)
        try:
            theirs.append(os.dup(devnull))  # stdin
            for want, inherit in ((stdout, 1), (stderr, 2)):
                if want == subprocess.PIPE:
                    r, w = os.pipe()
                    ours.append(os.fdopen(r, "rb", buffering=0))
                    theirs.append(w)
                else:
                    ours.append(None)
                    theirs.append(os.dup(devnull if want == subprocess.DEVNULL else inherit))
            req = {
                "op": "spawn",
                "argv": list(argv),
                "env": dict(env if env is not None else os.environ),
                "cwd": str(cwd or os.getcwd()),
            }
            socket.send_fds(self._sock, [json.dumps(req).encode()], theirs)
            (pid,) = struct.unpack("!q", self._recv())
        finally:
            os.close(devnull)
            for fd in theirs:
                os.close(fd)
        return Child(self, pid, ours[0], ours[1])

    def _request(self, req: dict[str, Any]) -> int:
        self._sock.sendall(json.dumps(req).encode())
        (value,) = struct.unpack("!q", self._recv())
        return int(value)

    def _recv(self) -> bytes:
        data = self._sock.recv(8)
        if len(data) != 8:
            raise RuntimeError(f"the fork server ended (exit {self._proc.poll()})")
        return data

    def close(self) -> None:
        self._sock.close()  # the server reads end-of-stream and exits
        try:
            self._proc.wait(30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
