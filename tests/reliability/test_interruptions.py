"""Interruptions: SIGKILL the whole ansible-playbook process group at a chosen point, then run
site.yml again. It must converge, remove what the killed run left behind (the bake's temporary
instance and security group, a half-made image), create nothing twice; and teardown must leave
nothing.

A point is the moment the sandbox has answered a given AWS call (seen in its request log): the
kill lands while the run goes on from there. The default run tries two points;
SCALEOUT_RELIABILITY_LONG=1 tries all of them.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from conftest import (
    REPO,
    format_resources,
    run_playbook,
    stack_resources,
    start_playbook,
    unique_name,
    write_inventory,
)
from stackcheck import assert_one_converged_stack

LONG = os.environ.get("SCALEOUT_RELIABILITY_LONG", "") not in ("", "0")
RESULTS = REPO / "build" / "reliability" / "interruptions.jsonl"

# name: (service, action that must have been answered, extra calls to let pass before the kill,
#        whether the killed run includes the scale test)
POINTS = {
    "during the bake (temporary instance running)": ("ec2", "RunInstances", 0, False),
    "during the bake (image being created)": ("ec2", "CreateImage", 0, False),
    "after the load balancer": ("elbv2", "CreateListener", 0, False),
    "during the group (just created)": ("autoscaling", "CreateAutoScalingGroup", 0, False),
    "during the scale test (load running)": ("ssm", "SendCommand", 3, True),
}
DEFAULT_POINTS = ("during the bake (temporary instance running)", "during the group (just created)")


def record(entry: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as handle:
        handle.write(json.dumps(entry) + "\n")


def kill_at(process, sandbox, service, action, after_calls, deadline_s=900):
    """SIGKILL the run once the sandbox answered `service:action` and `after_calls` more calls."""
    started = time.monotonic()
    seen_at = None
    while time.monotonic() - started < deadline_s:
        if process.poll() is not None:
            return False
        calls = sandbox.requests()
        if seen_at is None:
            for index, call in enumerate(calls):
                if call["service"] == service and call["action"] == action and call.get("status", 200) < 300:
                    seen_at = index
                    break
        if seen_at is not None and len(calls) > seen_at + after_calls:
            process.signal(signal.SIGKILL)
            process.wait(timeout=60)
            return True
        time.sleep(0.05)
    process.signal(signal.SIGKILL)
    process.wait(timeout=60)
    return False


@pytest.mark.parametrize("point", [p for p in POINTS if LONG or p in DEFAULT_POINTS])
def test_a_killed_run_is_repaired_by_the_next(sandbox, tmp_path, point):
    service, action, after_calls, with_scale_test = POINTS[point]
    stack = unique_name("int")
    inventory = write_inventory(tmp_path / "inventory", {stack: {"stack_name": stack}})
    entry = {"test": "interruptions", "point": point, "stack": stack}
    try:
        if with_scale_test:
            # The scale test needs a converged stack first.
            first = run_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory, skip_tags=["scale_test"])
            assert first.rc == 0, first.describe()
        sandbox.clear_requests()
        # SIGKILL leaves the stack's lock held until it expires: ten minutes of AWS's clock (about
        # ten real seconds here), which the next run waits for and then takes over.
        process = start_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory,
                                 skip_tags=None if with_scale_test else ["scale_test"],
                                 extra_vars={"stack_lock_ttl": 600})
        killed = kill_at(process, sandbox, service, action, after_calls)
        entry["killed"] = killed
        assert killed, f"the run ended before {service}:{action} was answered; the point was never reached"
        entry["left_by_kill"] = format_resources(stack_resources(sandbox, stack))

        again = run_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory, skip_tags=["scale_test"],
                             extra_vars={"stack_lock_wait": 300})
        entry["rerun_rc"] = again.rc
        assert again.rc == 0, f"the run after the kill {point} failed:\n{again.describe()}"

        assert_one_converged_stack(sandbox, stack)

        # A run that finds the stack converged writes nothing and takes no lock; the killed run's lock
        # then holds until it expires (later than its ttl when the killed run renewed it for a wait).
        teardown = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory,
                                extra_vars={"stack_lock_wait": 300})
        assert teardown.rc == 0, teardown.describe()
        left = stack_resources(sandbox, stack)
        assert not left, f"teardown after the kill {point} left {format_resources(left)}"
        entry["survived"] = True
    finally:
        entry.setdefault("survived", False)
        record(entry)


# ---------------------------------------------------------------------------------------- signals

BAKE_TEMPORARY = {"Name": "tag:scaleout:role", "Values": ["bake-temporary"]}


def bake_temporaries(sandbox, stack):
    """The bake's temporary instances (not terminated) and security groups of `stack`, by tag."""
    ec2 = sandbox.client("ec2")
    by_stack = {"Name": "tag:scaleout:stack", "Values": [stack]}
    instances = [i["InstanceId"] for r in ec2.describe_instances(Filters=[by_stack, BAKE_TEMPORARY])["Reservations"]
                 for i in r["Instances"] if i["State"]["Name"] != "terminated"]
    groups = [g["GroupId"] for g in ec2.describe_security_groups(Filters=[by_stack, BAKE_TEMPORARY])["SecurityGroups"]]
    return {"instances": instances, "security_groups": groups}


def stack_lock(sandbox, stack):
    """The value of the stack's lock parameter, or None."""
    ssm = sandbox.client("ssm")
    try:
        return ssm.get_parameter(Name=f"/scaleout/lock/{stack}/holder")["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        return None


def wait_for_call(process, sandbox, service, action, deadline_s=600):
    started = time.monotonic()
    while time.monotonic() - started < deadline_s:
        if process.poll() is not None:
            return False
        if any(c["service"] == service and c["action"] == action and c.get("status", 200) < 300
               for c in sandbox.requests()):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signalled_run_removes_its_temporaries_before_it_exits(sandbox, tmp_path, signum):
    """Ctrl-C (SIGINT) or a cancel (SIGTERM, as AWX sends) while the bake's temporary instance runs:
    when ansible-playbook has exited, the instance is terminated, its security group deleted and the
    stack's lock released, with no further run; the run said what it removed."""
    stack = unique_name("sig")
    inventory = write_inventory(tmp_path / "inventory", {stack: {"stack_name": stack}})
    entry = {"test": "signals", "signal": signum.name, "stack": stack}
    try:
        sandbox.clear_requests()
        process = start_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory, skip_tags=["scale_test"])
        reached = wait_for_call(process, sandbox, "ec2", "RunInstances")
        assert reached, f"the run ended before the bake launched its instance:\n{process.wait(timeout=60).describe()}"
        # The instance is launched and the lock held: the moment a Ctrl-C hurts most. EC2's filtered
        # describes see a new instance a moment after RunInstances (describe_after_create_s): the
        # signal comes once they do, as the cleanup finds the temporaries by their tags (an instance
        # signalled inside that window is the next run's sweep's, as after SIGKILL).
        assert sandbox.wait_for(lambda: bake_temporaries(sandbox, stack)["instances"], 300,
                                "the bake's instance in a filtered describe"), "no temporary instance to interrupt"
        assert stack_lock(sandbox, stack) is not None, "the run does not hold the stack's lock"
        signalled = time.monotonic()
        process.signal(signum)
        run = process.wait(timeout=420)
        entry["exit_s"] = round(time.monotonic() - signalled, 1)
        entry["rc"] = run.rc
        assert not run.timed_out, run.describe()
        left = bake_temporaries(sandbox, stack)
        entry["left"] = left
        assert left == {"instances": [], "security_groups": []}, (
            f"after {signum.name} the run exited leaving the bake's temporaries {left}:\n{run.stderr[-3000:]}")
        assert stack_lock(sandbox, stack) is None, f"after {signum.name} the stack's lock is still held"
        assert "interrupt_cleanup] cleanup done" in run.stderr, run.stderr[-3000:]
        assert "removed the bake's temporary instance(s) [i-" in run.stderr, "the run did not say what it removed:\n" + run.stderr[-3000:]
        # ansible-playbook still ends as it would have: 99 after Ctrl-C, killed by SIGTERM.
        assert run.rc == (99 if signum == signal.SIGINT else -signal.SIGTERM), run.describe()

        teardown = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory)
        assert teardown.rc == 0, teardown.describe()
        assert not stack_resources(sandbox, stack), format_resources(stack_resources(sandbox, stack))
        entry["cleaned"] = True
    finally:
        entry.setdefault("cleaned", False)
        record(entry)
