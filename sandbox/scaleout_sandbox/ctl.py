"""Start, stop and inspect the sandbox server: `up` is idempotent, `down` leaves nothing running.

The server inherits this process's environment (SCALEOUT_SANDBOX_SECONDS_PER_MINUTE,
SCALEOUT_SANDBOX_DELAYS, SCALEOUT_SANDBOX_IAM_ENFORCE, ...). `up` reuses a running sandbox only if
its IAM enforcement is what the environment asks for; otherwise it refuses (run `down` first).

State lives in SCALEOUT_SANDBOX_STATE_DIR (default: `.sandbox/` at the repository root): a pid
file, the server log, and a lock that serialises concurrent `up`/`down` calls so that two callers
never start two servers.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .services.iam.enforcement import ENFORCE_ENV, enforced_from_env
from .server import HEALTH_PATH, LOOPBACK, SERVICE_NAME

DEFAULT_PORT = 4599
PORT_ENV = "SCALEOUT_SANDBOX_PORT"
STATE_DIR_ENV = "SCALEOUT_SANDBOX_STATE_DIR"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
REPO_ROOT = Path(__file__).resolve().parents[2]


class SandboxError(Exception):
    """A sandbox command could not do what it was asked; the message says why."""


def configured_port(environ=os.environ) -> int:
    raw = environ.get(PORT_ENV, "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 1024 <= int(raw) <= 65535:
        raise SandboxError(f"{PORT_ENV}={raw!r} is not a port number between 1024 and 65535")
    return int(raw)


def state_dir(environ=os.environ) -> Path:
    return Path(environ.get(STATE_DIR_ENV) or REPO_ROOT / ".sandbox")


def endpoint(port: int) -> str:
    return f"http://{LOOPBACK}:{port}"


def probe(port: int, timeout: float = 1.0) -> dict | None:
    """The identity of the sandbox answering on `port`, or None if nothing (or something else) answers."""
    try:
        with urllib.request.urlopen(endpoint(port) + HEALTH_PATH, timeout=timeout) as resp:
            data = json.loads(resp.read().decode())
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return data if isinstance(data, dict) and data.get("service") == SERVICE_NAME else None


def port_in_use(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((LOOPBACK, port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Sandbox:
    def __init__(self, port: int | None = None, directory: Path | None = None):
        self.port = configured_port() if port is None else port
        self.dir = directory or state_dir()
        self.pid_file = self.dir / "server.json"
        self.log_file = self.dir / "server.log"

    @contextlib.contextmanager
    def _locked(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _recorded(self) -> dict | None:
        try:
            return json.loads(self.pid_file.read_text())
        except (OSError, ValueError):
            return None

    def status(self) -> dict:
        rec = self._recorded()
        if rec and pid_alive(rec["pid"]):
            ident = probe(rec["port"])
            if ident and ident["pid"] == rec["pid"]:
                return {"running": True, "pid": rec["pid"], "port": rec["port"], "endpoint": endpoint(rec["port"]),
                        "iam_enforced": bool(ident.get("iam_enforced"))}
            return {"running": False, "pid": rec["pid"], "port": rec["port"], "problem": "process alive but not answering"}
        return {"running": False}

    def up(self, env=None) -> dict:
        """Start the server (or find it running). `env`: variables to set (None: unset) for the
        server process on top of this process's environment, which stays as it is."""
        environ = dict(os.environ)
        for name, value in (env or {}).items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = str(value)
        try:
            enforce = enforced_from_env(environ)
        except ValueError as err:
            raise SandboxError(str(err)) from None
        with self._locked():
            current = self.status()
            if current["running"]:
                if current["port"] != self.port:
                    raise SandboxError(
                        f"the sandbox already runs on port {current['port']} (pid {current['pid']}), "
                        f"not on {self.port}; run 'down' first or set {PORT_ENV}={current['port']}"
                    )
                if current["iam_enforced"] != enforce:
                    raise SandboxError(
                        f"the sandbox already runs (pid {current['pid']}) with IAM enforcement "
                        f"{'on' if current['iam_enforced'] else 'off'}, but {ENFORCE_ENV} asks for it "
                        f"{'on' if enforce else 'off'}; run 'down' first"
                    )
                return dict(current, started=False)
            if current.get("pid"):
                self._kill(current["pid"])
            if port_in_use(self.port):
                raise SandboxError(
                    f"port {self.port} on {LOOPBACK} is taken by another program; "
                    f"choose a free one with {PORT_ENV}"
                )
            return dict(self._start(environ), started=True)

    def _start(self, environ) -> dict:
        env = dict(environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT / "sandbox"), env.get("PYTHONPATH")]))
        with open(self.log_file, "ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "scaleout_sandbox.server", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            ident = probe(self.port)
            if ident and ident["pid"] == proc.pid:
                self.pid_file.write_text(json.dumps({"pid": proc.pid, "port": self.port}))
                return {"running": True, "pid": proc.pid, "port": self.port, "endpoint": endpoint(self.port),
                        "iam_enforced": bool(ident.get("iam_enforced"))}
            if proc.poll() is not None:
                raise SandboxError(f"the sandbox server exited with code {proc.returncode}:\n{self._log_tail()}")
            time.sleep(0.1)
        self._kill(proc.pid)
        raise SandboxError(
            f"the sandbox server did not answer on {endpoint(self.port)} within {START_TIMEOUT_S:.0f}s:\n{self._log_tail()}"
        )

    def down(self) -> dict:
        with self._locked():
            rec = self._recorded()
            stopped = False
            if rec and pid_alive(rec["pid"]):
                self._kill(rec["pid"])
                stopped = True
            with contextlib.suppress(FileNotFoundError):
                self.pid_file.unlink()
            return {"running": False, "stopped": stopped}

    def _kill(self, pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline:
            if not pid_alive(pid) or _is_zombie(pid):
                return
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return False


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="sandbox",
        description=f"Control the local AWS sandbox on {LOOPBACK} (port from {PORT_ENV}, default {DEFAULT_PORT}).",
    )
    parser.add_argument("command", choices=["up", "down", "status", "endpoint"])
    args = parser.parse_args(argv)
    try:
        sandbox = Sandbox()
        if args.command == "up":
            result = sandbox.up()
            verb = "started" if result["started"] else "already running"
            enforced = ", IAM enforced" if result.get("iam_enforced") else ""
            print(f"sandbox {verb}: {result['endpoint']} (pid {result['pid']}{enforced})")
        elif args.command == "down":
            result = sandbox.down()
            print("sandbox stopped" if result["stopped"] else "sandbox was not running")
        elif args.command == "endpoint":
            print(endpoint(sandbox.port))
        else:
            print(json.dumps(sandbox.status()))
    except SandboxError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
