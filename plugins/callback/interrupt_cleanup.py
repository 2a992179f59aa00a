# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: interrupt_cleanup
type: notification
short_description: On Ctrl-C or SIGTERM, remove the run's temporary resources and release its stack locks
version_added: 1.0.0
description:
  - ansible-playbook stops at once on SIGINT (Ctrl-C) and SIGTERM (what AWX sends on cancel), and a
    C(block)/C(always) section does not run then; the bake's temporary instance and security group
    would stay until the next run sweeps them, and the stack's lock until it expires.
  - This callback stops the run's workers first, then runs the collection's
    C(playbooks/interrupted.yml) for the stacks whose bake had started or that held their lock. It
    removes the bake's temporary resources, found by their tags. It releases the lock that this run
    held, and only that one. The cleanup has at most O(timeout) seconds. Then ansible-playbook ends
    as it would have without this callback. A second signal during the cleanup stops the cleanup.
  - When a run ends with a stack that failed while it held its lock, it releases that lock the same way.
  - What it removed is printed on standard error (the run's standard output stays the stdout
    callback's). SIGKILL cannot be caught; the next run's sweep and the lock's expiry cover it.
  - Enable it with C(callbacks_enabled = scaleout.webtier.interrupt_cleanup) in C(ansible.cfg)
    (the collection's own C(ansible.cfg) does), or with E(ANSIBLE_CALLBACKS_ENABLED).
requirements:
  - enabled in C(callbacks_enabled)
options:
  timeout:
    description: Seconds the cleanup may take before it is stopped, with what is left named.
    type: int
    default: 300
    env:
      - name: SCALEOUT_INTERRUPT_CLEANUP_TIMEOUT
    ini:
      - section: callback_interrupt_cleanup
        key: timeout
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from json import dumps

from ansible import context
from ansible.plugins.callback import CallbackBase

# Set in the cleanup run's environment, so that the cleanup does not clean up after itself.
CHILD_ENV = "SCALEOUT_INTERRUPT_CLEANUP_RUN"
CLEANUP_PLAYBOOK = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "playbooks", "interrupted.yml")
# The bake's temporary resources exist from the first task of this file until its always section ends.
BAKE_TASKS_FILE = os.path.join("roles", "bake", "tasks", "bake.yml")
LOCK_ACTIONS = ("scaleout.webtier.stack_lock", "stack_lock")
WORKER_STOP_S = 15


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "scaleout.webtier.interrupt_cleanup"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._active = not os.environ.get(CHILD_ENV)
        self._previous = {}
        self._baking = set()
        self._lock_owners = {}
        self._cleaning = False
        self._child = None

    # ------------------------------------------------------------ what the run holds

    def v2_playbook_on_start(self, playbook):
        if self._active:
            self._install_handlers()

    def v2_runner_on_start(self, host, task):
        path = task.get_path() or ""
        if path.rpartition(":")[0].endswith(BAKE_TASKS_FILE):
            self._baking.add(host.get_name())

    def v2_runner_on_ok(self, result):
        if result._task.action not in LOCK_ACTIONS:
            return
        lock = result._result.get("lock") or {}
        host = result._host.get_name()
        if result._result.get("held") and lock.get("owner"):
            self._lock_owners[host] = lock["owner"]
        else:
            self._lock_owners.pop(host, None)

    def v2_playbook_on_stats(self, stats):
        """A stack that failed while it held its lock: release the lock now rather than at its expiry."""
        if not self._active or self._cleaning:
            return
        failed = {host for host in self._lock_owners
                  if stats.summarize(host).get("failures") or stats.summarize(host).get("unreachable")}
        if failed:
            self._say(f"the run failed on {', '.join(sorted(failed))} while holding the stack lock: releasing it")
            self._clean(failed, baking=set())

    # ------------------------------------------------------------ signals

    def _install_handlers(self):
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signum)
            if getattr(previous, "__self__", None) is self:
                continue
            self._previous[signum] = previous
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum, frame):
        previous = self._previous.get(signum, signal.SIG_DFL)
        if self._cleaning:
            # A second signal: stop the cleanup, then end as ansible-playbook would.
            self._stop_child("a second signal arrived")
            return
        hosts = self._baking | set(self._lock_owners)
        if hosts:
            self._cleaning = True
            name = signal.Signals(signum).name
            self._say(f"{name} received: stopping the run, then removing what it left for {', '.join(sorted(hosts))} "
                      f"(at most {self.get_option('timeout')} s; {name} again skips this)")
            self._stop_workers(previous, signum)
            self._clean(hosts, baking=set(self._baking))
        signal.signal(signum, previous)
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            os.kill(os.getpid(), signum)

    def _stop_workers(self, previous, signum):
        """Stop the task workers (as ansible-playbook's own handler does) before anything is removed,
        so that no task creates something after the cleanup looked."""
        manager = getattr(previous, "__self__", None)
        workers = [w for w in (getattr(manager, "_workers", None) or []) if w is not None and w.is_alive()]
        for worker in workers:
            try:
                os.kill(worker.pid, signum)
            except OSError:
                pass
        deadline = time.monotonic() + WORKER_STOP_S
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))

    # ------------------------------------------------------------ the cleanup run

    def _clean(self, hosts, baking):
        timeout = int(self.get_option("timeout"))
        plan = {host: {"bake": host in baking, "lock_owner": self._lock_owners.get(host, "")} for host in sorted(hosts)}
        command = self._command(plan)
        env = dict(os.environ, **{CHILD_ENV: "1", "ANSIBLE_STDOUT_CALLBACK": "default", "ANSIBLE_NOCOLOR": "1"})
        started = time.monotonic()
        try:
            output = sys.stderr.fileno()
        except (AttributeError, OSError, ValueError):
            output = None  # not a file (an embedding program): the child's output goes where ours would
        try:
            # Its own session: a second Ctrl-C reaches this process only, which then stops it.
            self._child = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=output,
                                           stderr=output, start_new_session=True)
        except OSError as err:
            self._say(f"could not start the cleanup ({' '.join(command[:2])}): {err}; the next run removes "
                      "the temporary resources, and the lock expires")
            return
        child = self._child
        try:
            rc = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._stop_child(f"it took more than {timeout} s")
            return
        self._child = None
        elapsed = time.monotonic() - started
        if rc == 0:
            self._say(f"cleanup done in {elapsed:.0f} s (above: what it removed)")
        elif rc is not None and rc < 0:
            pass  # stopped by _stop_child, which said why
        else:
            self._say(f"the cleanup failed (rc={rc}, above); the next run removes the bake's temporary "
                      "resources, and the lock expires")

    def _command(self, plan):
        script = sys.argv[0] if sys.argv and os.path.basename(sys.argv[0]).startswith("ansible-playbook") else None
        command = [sys.executable, script] if script and os.path.isfile(script) else [
            shutil.which("ansible-playbook") or "ansible-playbook"]
        command.append(CLEANUP_PLAYBOOK)
        args = context.CLIARGS
        for inventory in args.get("inventory") or ():
            command += ["-i", inventory]
        for extra in args.get("extra_vars") or ():
            command += ["-e", extra]
        for vault_id in args.get("vault_ids") or ():
            command += ["--vault-id", vault_id]
        for password_file in args.get("vault_password_files") or ():
            command += ["--vault-password-file", password_file]
        command += ["-e", dumps({"interrupted_run": plan}), "--limit", ",".join(plan)]
        return command

    def _stop_child(self, why):
        child, self._child = self._child, None
        if child is None or child.poll() is not None:
            return
        try:
            os.killpg(child.pid, signal.SIGTERM)
            child.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except OSError:
                pass
        self._say(f"cleanup stopped: {why}; the next run removes the bake's temporary resources, and the lock expires")

    def _say(self, text):
        # Straight to standard error: the display may be mid-write when the signal lands.
        try:
            sys.stderr.write(f"[scaleout.webtier.interrupt_cleanup] {text}\n")
            sys.stderr.flush()
        except OSError:
            pass
