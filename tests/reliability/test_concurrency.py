"""Two runs of the same stack at once: the stack's lock (an SSM parameter that AWS creates for one
caller only) lets exactly one converge; the other refuses before its first write, naming the
holder and since when. A lock whose run was SIGKILLed (nothing could release it) expires, and the
next run, waiting for it, takes it over and converges."""

from __future__ import annotations

import json
import signal
import time

from conftest import REPO, format_resources, lock_parameters, run_playbook, stack_resources, start_playbook, unique_name, write_inventory
from stackcheck import assert_one_converged_stack

RESULTS = REPO / "build" / "reliability" / "concurrency.jsonl"


def record(entry: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as handle:
        handle.write(json.dumps(entry) + "\n")


def test_two_runs_of_one_stack_at_once_one_converges_the_other_refuses(sandbox, tmp_path):
    stack = unique_name("two")
    inventory = write_inventory(tmp_path / "inventory", {stack: {"stack_name": stack}})
    entry = {"test": "concurrency", "case": "two at once", "stack": stack}
    try:
        sandbox.clear_requests()
        runs = [start_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory, skip_tags=["scale_test"])
                for _run in range(2)]
        results = [run.wait(timeout=1500) for run in runs]
        entry["rcs"] = [r.rc for r in results]
        converged = [r for r in results if r.rc == 0]
        refused = [r for r in results if r.rc != 0]
        assert len(converged) == 1 and len(refused) == 1, "\n\n".join(r.describe() for r in results)
        messages = [m for items in refused[0].failures.values() for _task, m in items]
        entry["refusal"] = messages[:1]
        assert any("another run holds the lock of stack " + stack in m and " is held by " in m and " since " in m
                   for m in messages), refused[0].describe()
        # The refused run stopped at the lock, before any stage's first write.
        assert not any(refused[0].changed().values()), refused[0].describe()
        assert_one_converged_stack(sandbox, stack)
        creates = [c for c in sandbox.requests() if c["mutating"] and c["action"].startswith(("Create", "RunInstances"))
                   and c.get("status", 200) < 300]
        entry["creates"] = len(creates)
        assert not lock_parameters(sandbox, stack), "the converged run did not release the lock"

        teardown = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory)
        assert teardown.rc == 0, teardown.describe()
        assert not stack_resources(sandbox, stack), format_resources(stack_resources(sandbox, stack))
        assert not lock_parameters(sandbox, stack)
        entry["passed"] = True
    finally:
        entry.setdefault("passed", False)
        record(entry)


def test_the_lock_of_a_killed_run_expires_and_the_next_run_takes_it_over(sandbox, tmp_path):
    stack = unique_name("dead")
    inventory = write_inventory(tmp_path / "inventory", {stack: {"stack_name": stack}})
    entry = {"test": "concurrency", "case": "holder SIGKILLed", "stack": stack}
    try:
        sandbox.clear_requests()
        # Ten minutes of AWS's clock: about ten real seconds in the sandbox.
        killed = start_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory, skip_tags=["scale_test"],
                                extra_vars={"stack_lock_ttl": 600})
        started = time.monotonic()
        while time.monotonic() - started < 600 and killed.poll() is None:
            if any(c["action"] == "CreateSecurityGroup" for c in sandbox.requests()):
                break
            time.sleep(0.05)
        killed.signal(signal.SIGKILL)
        killed.wait(timeout=60)
        left = lock_parameters(sandbox, f"{stack}")
        assert list(left) == [f"/scaleout/lock/{stack}/holder"], f"the killed run's lock is not there: {left}"
        entry["killed_holder"] = json.loads(left[f"/scaleout/lock/{stack}/holder"])

        again = run_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory, skip_tags=["scale_test"],
                             extra_vars={"stack_lock_wait": 300}, callback="default")
        entry["rerun_rc"] = again.rc
        assert again.rc == 0, again.describe()
        assert "took over the expired lock of stack " + stack in again.stdout + again.stderr, again.stdout[-4000:]
        assert_one_converged_stack(sandbox, stack)
        assert not lock_parameters(sandbox, stack), f"left: {lock_parameters(sandbox, stack)}"

        teardown = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory)
        assert teardown.rc == 0, teardown.describe()
        assert not stack_resources(sandbox, stack), format_resources(stack_resources(sandbox, stack))
        entry["passed"] = True
    finally:
        entry.setdefault("passed", False)
        record(entry)
