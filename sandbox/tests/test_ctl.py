"""The sandbox control script: idempotent `up`, clean `down`, exactly one server at a time."""

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from scaleout_sandbox import ctl

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def servers_on(port):
    """PIDs of sandbox server processes serving `port`, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        if b"scaleout_sandbox.server" in argv and str(port).encode() in argv and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture
def sandbox(tmp_path):
    box = ctl.Sandbox(port=free_port(), directory=tmp_path)
    yield box
    box.down()


def test_up_twice_reuses_the_running_server(sandbox):
    first = sandbox.up()
    second = sandbox.up()
    assert first["started"] is True and second["started"] is False
    assert first["pid"] == second["pid"]
    assert servers_on(sandbox.port) == [first["pid"]]
    assert ctl.probe(sandbox.port)["simulated"] is True


def test_down_then_up_leaves_exactly_one_server(sandbox):
    old = sandbox.up()["pid"]
    assert sandbox.down()["stopped"] is True
    assert servers_on(sandbox.port) == []
    assert sandbox.down()["stopped"] is False
    new = sandbox.up()["pid"]
    assert new != old
    assert servers_on(sandbox.port) == [new]


def test_concurrent_ups_start_one_server(sandbox):
    results = []
    threads = [threading.Thread(target=lambda: results.append(sandbox.up())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["started"] for r in results) == 1
    assert len({r["pid"] for r in results}) == 1
    assert len(servers_on(sandbox.port)) == 1


def test_a_port_taken_by_another_program_is_refused(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        box = ctl.Sandbox(port=other.getsockname()[1], directory=tmp_path)
        with pytest.raises(ctl.SandboxError, match="taken by another program"):
            box.up()


def test_up_on_another_port_while_running_says_so(sandbox, tmp_path):
    sandbox.up()
    other = ctl.Sandbox(port=free_port(), directory=tmp_path)
    with pytest.raises(ctl.SandboxError, match="already runs on port %d" % sandbox.port):
        other.up()


@pytest.mark.parametrize("raw", ["abc", "80", "70000"])
def test_bad_port_environment_is_refused(raw):
    with pytest.raises(ctl.SandboxError, match=ctl.PORT_ENV):
        ctl.configured_port({ctl.PORT_ENV: raw})


def test_default_port_is_documented_default():
    assert ctl.configured_port({}) == ctl.DEFAULT_PORT == 4599


def test_command_line_up_status_down(tmp_path):
    env = dict(os.environ, SCALEOUT_SANDBOX_PORT=str(free_port()), SCALEOUT_SANDBOX_STATE_DIR=str(tmp_path),
               SCALEOUT_SANDBOX_PYTHON=sys.executable)
    script = str(ROOT / "scripts" / "sandbox")
    try:
        up = subprocess.run([script, "up"], env=env, capture_output=True, text=True, timeout=90)
        assert up.returncode == 0, up.stderr
        assert up.stdout.startswith("sandbox started: http://127.0.0.1:")
        again = subprocess.run([script, "up"], env=env, capture_output=True, text=True, timeout=90)
        assert again.stdout.startswith("sandbox already running")
    finally:
        down = subprocess.run([script, "down"], env=env, capture_output=True, text=True, timeout=90)
    assert down.stdout.strip() == "sandbox stopped"
    assert servers_on(int(env["SCALEOUT_SANDBOX_PORT"])) == []
