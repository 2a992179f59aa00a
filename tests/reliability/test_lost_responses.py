"""Lost responses: the fault proxy forwards one create call of the pipeline to the sandbox, which
does it, and then loses the answer (the connection reset, or a 500 in its place); botocore sends the
same request again. AWS's idempotency decides what happens then: a ClientToken returns the first
call's result (RunInstances), CreateLoadBalancer, CreateTargetGroup and CreateListener return the
existing resource for the same settings, and unique names refuse a second one
(InvalidGroup.Duplicate, InvalidAMIName.Duplicate, EntityAlreadyExists, AlreadyExists).

Each case: site.yml through the proxy; if that run fails, one more run without the fault must
converge. Then exactly one of everything (no duplicate), nothing temporary left, and teardown
leaves nothing. The default run covers the duplicate-prone creates; SCALEOUT_RELIABILITY_LONG=1
covers every create of the pipeline, and each in both modes.
"""

from __future__ import annotations

import json
import os

import pytest

from conftest import REPO, format_resources, run_playbook, stack_resources, unique_name, write_inventory
from scaleout_sandbox.faultproxy import FaultProxy
from stackcheck import assert_one_converged_stack

LONG = os.environ.get("SCALEOUT_RELIABILITY_LONG", "") not in ("", "0")
RESULTS = REPO / "build" / "reliability" / "lost_responses.jsonl"

# Every create call the pipeline makes.
CREATES = (
    "ec2:CreateSecurityGroup", "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:CreateListener", "iam:CreateRole", "iam:CreateInstanceProfile", "ec2:RunInstances",
    "ec2:CreateImage", "ec2:CreateLaunchTemplate", "autoscaling:CreateAutoScalingGroup",
    "autoscaling:PutScalingPolicy",
)
# The ones where a lost answer made (or could make) a second resource.
DEFAULT = {("elasticloadbalancing:CreateLoadBalancer", "reset"), ("ec2:CreateImage", "server_error"),
           ("ec2:RunInstances", "reset"), ("elasticloadbalancing:CreateTargetGroup", "server_error"),
           ("ec2:CreateSecurityGroup", "reset")}
# Where AWS answers a repeated create with the resource itself (a client token, ELBv2's documented
# idempotency, an upsert) or the product adopts what the lost call made (the bake's image, found by
# name and fingerprint), the run itself converges; elsewhere the module fails on the duplicate name
# and the next run adopts the resource by name and tag.
SAME_RUN = {"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup",
            "elasticloadbalancing:CreateListener", "ec2:RunInstances", "ec2:CreateImage",
            "autoscaling:PutScalingPolicy"}
CASES = [(call, mode) for call in CREATES for mode in ("reset", "server_error") if LONG or (call, mode) in DEFAULT]


def record(entry: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as handle:
        handle.write(json.dumps(entry) + "\n")


def proxy_action(call: str) -> str:
    """The fault proxy's name of a call (the request log's service name for ELBv2 is elbv2)."""
    service, action = call.split(":")
    return f"{'elbv2' if service == 'elasticloadbalancing' else service}:{action}"


@pytest.mark.parametrize("call,mode", CASES, ids=[f"{c.split(':')[1]}-{m}" for c, m in CASES])
def test_a_lost_response_makes_no_duplicate(sandbox, tmp_path, call, mode):
    stack = unique_name("lost")
    inventory = write_inventory(tmp_path / "inventory", {stack: {"stack_name": stack}})
    entry = {"test": "lost_responses", "call": call, "mode": mode, "stack": stack}
    try:
        with FaultProxy(sandbox.endpoint, lose_responses=[proxy_action(call)], lose_mode=mode, lose_count=1) as proxy:
            first = run_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory, skip_tags=["scale_test"],
                                 env={"SCALEOUT_SANDBOX_ENDPOINT": proxy.endpoint}, timeout=1500)
            lost = proxy.stats()["responses_lost"]
        entry.update(first_rc=first.rc, lost=lost)
        assert lost == 1, f"the answer to {call} was never lost (the pipeline did not call it?): {proxy.stats()}"
        runs = 1
        if first.rc != 0:
            entry["first_failure"] = [m[:300] for items in first.failures.values() for _t, m in items][:3]
        if call in SAME_RUN:
            assert first.rc == 0, f"a lost {call} answer failed the run:\n{first.describe()}"
        if first.rc != 0:
            again = run_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory, skip_tags=["scale_test"])
            runs = 2
            assert again.rc == 0, f"the run after the lost {call} answer failed:\n{again.describe()}"
        entry["runs"] = runs

        assert_one_converged_stack(sandbox, stack)

        teardown = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory)
        assert teardown.rc == 0, teardown.describe()
        left = stack_resources(sandbox, stack)
        assert not left, f"teardown after the lost {call} answer left {format_resources(left)}"
        entry["survived"] = True
    finally:
        entry.setdefault("survived", False)
        record(entry)
