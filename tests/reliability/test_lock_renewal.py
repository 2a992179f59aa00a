"""The stack lock while a run works, and what is left of it (issue 20, item 3).

* A run renews its lock at each stage's start and before each long wait, so it keeps the lock past
  ``stack_lock_ttl``: a second run started once the first lock's original expiry has passed is
  refused, naming the holder. Without renewal it would take over a live run's lock.
* Renewal never takes a lock that another run holds: it finds the other holder, fails at once
  naming it, and writes nothing.
* A take-over marker left by a taker that was killed too (between its marker and its overwrite)
  expires; the next run goes past it, takes the lock, and teardown removes every parameter under
  ``/scaleout/lock/<stack>/``.

Times: the sandbox's clock runs sixty simulated seconds per real second, and the lock counts on
AWS's clock (the HTTP Date header).
"""

from __future__ import annotations

import hashlib
import json
import signal
import time
from datetime import datetime, timedelta, timezone

from conftest import (REPO, format_resources, lock_parameters, run_playbook, stack_resources, start_playbook,
                      unique_name, write_inventory)
from stackcheck import assert_one_converged_stack

RESULTS = REPO / "build" / "reliability" / "lock_renewal.jsonl"


def record(entry: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as handle:
        handle.write(json.dumps(entry) + "\n")


def holder_name(stack: str) -> str:
    return f"/scaleout/lock/{stack}/holder"


def read_holder(sandbox, stack: str):
    """The lock's record, or None."""
    value = lock_parameters(sandbox, stack).get(holder_name(stack))
    return json.loads(value) if value is not None else None


def sim_now(sandbox) -> datetime:
    return datetime.fromtimestamp(sandbox.sim_now(), timezone.utc)


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def marker_name(stack: str, *chain: str) -> str:
    """The take-over marker of a chain (the stale holder, then the takers that died), as the
    collection names it (_stack_lock.takeover_name), written out here so that the test checks it."""
    digest = hashlib.sha256("\n".join(chain).encode("utf-8")).hexdigest()[:16]
    return f"/scaleout/lock/{stack}/takeover-{digest}"


def failure_messages(run) -> list:
    return [m for items in run.failures.values() for _task, m in items]


def test_a_run_keeps_its_lock_past_its_ttl_and_a_second_run_is_refused_naming_it(sandbox, tmp_path):
    stack = unique_name("renew")
    inventory = write_inventory(tmp_path / "inventory", {stack: {"stack_name": stack}})
    # Half a simulated hour, half a real minute: shorter than the run with its scale test (about a
    # minute since the collection's calls were cut; two real minutes outlasted it), and longer than the
    # stretch between two renewals (a renewal that comes late, with nobody else waiting, still keeps it).
    ttl = 1800
    entry = {"test": "lock renewal", "case": "kept past its ttl", "stack": stack, "ttl": ttl}
    try:
        first = start_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory,
                               extra_vars={"stack_lock_ttl": ttl})
        taken = None
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline and first.poll() is None:
            taken = taken or read_holder(sandbox, stack)
            if taken and sim_now(sandbox) > parse(taken["started"]) + timedelta(seconds=ttl + 60):
                break
            time.sleep(0.5)
        assert taken, "the first run never took the lock"
        assert first.poll() is None, (f"the first run ended before its lock's ttl passed ({ttl} simulated s): the "
                                      f"test proves nothing; make the run longer\n{first.wait(timeout=60).describe()}")
        now, held = sim_now(sandbox), read_holder(sandbox, stack)
        entry.update(taken=taken, at_second_run=held, now=iso(now))
        # The same run, its first expiry past, holds the lock until later: it renewed it.
        assert held and held["owner"] == taken["owner"], f"the first run lost its lock: {held}"
        assert parse(held["expires"]) > now and held.get("renewed"), f"not renewed at {iso(now)}: {held}"

        second = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory, timeout=600)
        entry["second_rc"] = second.rc
        messages = failure_messages(second)
        entry["refusal"] = messages[:1]
        assert second.rc != 0, f"a teardown ran during a live converge:\n{second.describe()}"
        assert any(f"another run holds the lock of stack {stack}" in m and f"is held by {taken['owner']}" in m
                   for m in messages), second.describe()
        assert not any(second.changed().values()), second.describe()

        result = first.wait(timeout=1500)
        entry["first_rc"] = result.rc
        assert result.rc == 0, result.describe()
        assert_one_converged_stack(sandbox, stack)
        assert not lock_parameters(sandbox, stack), f"left: {lock_parameters(sandbox, stack)}"

        teardown = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory)
        assert teardown.rc == 0, teardown.describe()
        assert not stack_resources(sandbox, stack), format_resources(stack_resources(sandbox, stack))
        entry["passed"] = True
    finally:
        entry.setdefault("passed", False)
        record(entry)
        if first.poll() is None:  # the test failed while the run went on: stop it (its callback cleans up)
            first.signal(signal.SIGTERM)
            first.wait(timeout=300)


def test_renewal_never_takes_a_lock_that_another_run_holds(sandbox, tmp_path):
    stack = unique_name("steal")
    inventory = write_inventory(tmp_path / "inventory", {stack: {"stack_name": stack}})
    entry = {"test": "lock renewal", "case": "another holder", "stack": stack}
    ssm = sandbox.client("ssm")
    try:
        sandbox.clear_requests()
        run = start_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory, skip_tags=["scale_test"])
        # The run holds its lock and has started writing: another run takes the lock over now (as
        # after an expiry), with a record of its own that is far from expiring.
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and run.poll() is None:
            if read_holder(sandbox, stack) and any(c["action"] == "CreateSecurityGroup" for c in sandbox.requests()):
                break
            time.sleep(0.05)
        mine = read_holder(sandbox, stack)
        assert mine and run.poll() is None, "the run ended before the test could take its lock"
        now = sim_now(sandbox)
        other = {"owner": "other-run@elsewhere 0123456789ab", "purpose": "converge", "started": iso(now),
                 "expires": iso(now + timedelta(days=2)), "took_over": mine["owner"]}
        ssm.put_parameter(Name=holder_name(stack), Value=json.dumps(other, sort_keys=True, separators=(",", ":")),
                          Type="String", Overwrite=True)

        result = run.wait(timeout=1500)
        entry["rc"] = result.rc
        messages = failure_messages(result)
        entry["failure"] = messages[:1]
        assert result.rc != 0, "the run went on writing the stack after another run took its lock"
        assert any(f"this run ({mine['owner']}) no longer holds the lock of stack {stack}" in m
                   and f"is held by {other['owner']}" in m for m in messages), result.describe()
        # Neither the renewal nor the release on failure touched the other run's lock.
        assert read_holder(sandbox, stack) == other, read_holder(sandbox, stack)
        entry["passed"] = True
    finally:
        entry.setdefault("passed", False)
        record(entry)
        # The "other run" never existed: its lock goes before the teardown.
        ssm.delete_parameter(Name=holder_name(stack)) if read_holder(sandbox, stack) else None
        run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory)
        assert not stack_resources(sandbox, stack), format_resources(stack_resources(sandbox, stack))


def test_a_marker_left_by_a_killed_take_over_expires_and_teardown_leaves_no_lock_parameter(sandbox, tmp_path):
    """What two SIGKILLs leave: the lock of a run that died, expired, and the take-over marker of the
    run that was taking it over when it died too (created, the lock not yet overwritten). Planted
    directly: the window between the two calls is too short to hit with a signal."""
    stack = unique_name("marker")
    inventory = write_inventory(tmp_path / "inventory", {stack: {"stack_name": stack}})
    entry = {"test": "lock renewal", "case": "leftover take-over marker", "stack": stack}
    ssm = sandbox.client("ssm")
    try:
        now = sim_now(sandbox)
        dead = {"owner": "dead@ci 111111111111", "purpose": "converge", "started": iso(now - timedelta(hours=3)),
                "expires": iso(now - timedelta(hours=2))}
        taker = {"owner": "killed-taker@ci 222222222222", "purpose": "take-over",
                 "started": iso(now - timedelta(hours=2)), "expires": iso(now - timedelta(hours=1))}
        planted = {holder_name(stack): dead, marker_name(stack, dead["owner"]): taker,
                   # And a marker of an older chain, concerning a holder long gone.
                   marker_name(stack, "older@ci 333333333333"): {"owner": "older"}}
        for name, value in planted.items():
            ssm.put_parameter(Name=name, Value=json.dumps(value), Type="String",
                              Tags=[{"Key": "scaleout:stack", "Value": stack}])
        entry["planted"] = sorted(planted)

        # The next run of the stack (a teardown: it takes the same lock) must get past both.
        teardown = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory,
                                extra_vars={"stack_lock_wait": 120}, callback="default", timeout=600)
        entry["rc"] = teardown.rc
        assert teardown.rc == 0, teardown.stdout[-4000:] + teardown.stderr[-2000:]
        assert f"took over the expired lock of stack {stack}" in teardown.stdout + teardown.stderr, teardown.stdout[-4000:]
        left = lock_parameters(sandbox, stack)
        entry["left"] = sorted(left)
        assert not left, f"teardown left parameters of the lock: {sorted(left)}"
        assert not stack_resources(sandbox, stack), format_resources(stack_resources(sandbox, stack))
        entry["passed"] = True
    finally:
        entry.setdefault("passed", False)
        record(entry)


def test_teardown_removes_a_marker_that_no_take_over_swept(sandbox, tmp_path):
    """A marker with no lock beside it (its chain ended long ago; the lock was released since): the
    next run takes the lock without a take-over, so nothing sweeps the marker but teardown's purge."""
    stack = unique_name("orphan")
    inventory = write_inventory(tmp_path / "inventory", {stack: {"stack_name": stack}})
    entry = {"test": "lock renewal", "case": "orphan marker, teardown purge", "stack": stack}
    ssm = sandbox.client("ssm")
    try:
        orphan = marker_name(stack, "gone@ci 444444444444")
        ssm.put_parameter(Name=orphan, Value=json.dumps({"owner": "gone"}), Type="String",
                          Tags=[{"Key": "scaleout:stack", "Value": stack}])
        teardown = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory, timeout=600)
        entry["rc"] = teardown.rc
        assert teardown.rc == 0, teardown.describe()
        left = lock_parameters(sandbox, stack)
        entry["left"] = sorted(left)
        assert not left, f"teardown left parameters of the lock: {sorted(left)}"
        entry["passed"] = True
    finally:
        entry.setdefault("passed", False)
        record(entry)
