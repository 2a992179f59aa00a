"""What one converged stack must consist of: each resource once, the group's instances only, no
temporary resource of the bake. Shared by the fault and interruption tests."""

from __future__ import annotations

from collections import Counter

from conftest import format_resources, stack_resources

# One of each (the network role makes two security groups: the ALB's and the instances').
EXPECTED = {"autoscaling_groups": 1, "load_balancers": 1, "target_groups": 1, "launch_templates": 1,
            "security_groups": 2, "images": 1, "iam_roles": 1}
# Kinds whose members share a name by design: the group's instances and their volumes.
SHARED_NAMES = {"instances", "volumes", "snapshots"}


def assert_one_converged_stack(sandbox, stack: str) -> dict:
    """Fail, naming what is wrong, unless `stack` is exactly one converged web tier."""
    found = stack_resources(sandbox, stack)
    counts = {kind: len(items) for kind, items in found.items()}
    for kind, expected in EXPECTED.items():
        assert counts.get(kind) == expected, f"{kind}: {counts.get(kind)} (expected {expected}): {format_resources(found)}"
    names = Counter((kind, r["name"]) for kind, items in found.items() if kind not in SHARED_NAMES
                    for r in items if r["name"])
    assert not [n for n, c in names.items() if c > 1], f"created twice: {[n for n, c in names.items() if c > 1]}"
    temporary = [r["id"] for items in found.values() for r in items if r["tags"].get("scaleout:role") == "bake-temporary"]
    assert not temporary, f"the bake's temporary resources survived: {temporary}"
    group = sandbox.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[found["autoscaling_groups"][0]["id"]])["AutoScalingGroups"][0]
    members = {i["InstanceId"] for i in group["Instances"]}
    running = {r["id"] for r in found.get("instances", []) if r["state"] in ("pending", "running")}
    assert running == members, f"instances outside the group: {sorted(running - members)}; missing: {sorted(members - running)}"
    return found
