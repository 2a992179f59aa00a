"""API faults: with 20 % of the calls throttled and 5 % answered by a server error (through the
fault-injecting proxy), site.yml converges, creates nothing twice, a second run changes nothing,
and teardown.yml leaves nothing.

The converged stack is also where the security posture is checked through the API, and where a
run at the highest verbosity must not print the secret key.

One attempt by default; SCALEOUT_RELIABILITY_FAULT_RUNS=N makes N attempts, each with its own
random seed for the proxy (scripts/test.sh reliability-long sets it).
"""

from __future__ import annotations

import json
import os
import re
import uuid

import pytest

from conftest import REPO, format_resources, run_playbook, stack_resources, unique_name, write_inventory
from scaleout_sandbox.faultproxy import FaultProxy
from stackcheck import assert_one_converged_stack

RUNS = int(os.environ.get("SCALEOUT_RELIABILITY_FAULT_RUNS", "1"))
THROTTLE, SERVER_ERROR = 0.2, 0.05
RESULTS = REPO / "build" / "reliability" / "faults.jsonl"


def record(entry: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as handle:
        handle.write(json.dumps(entry) + "\n")


def recap(text: str, host: str) -> dict:
    match = re.search(rf"^{re.escape(host)}\s+:\s+(.*)$", text, re.MULTILINE)
    assert match, f"no PLAY RECAP line for {host}:\n{text[-3000:]}"
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(1))}


@pytest.mark.parametrize("attempt", range(RUNS))
def test_site_converges_through_throttling_and_server_errors(sandbox, tmp_path, attempt):
    stack = unique_name("flt")
    seed = int(uuid.uuid4().int % 100_000)
    secret = "secret-" + uuid.uuid4().hex
    inventory = write_inventory(tmp_path / "inventory", {stack: {"stack_name": stack}})
    with FaultProxy(sandbox.endpoint, throttle=THROTTLE, server_error=SERVER_ERROR, latency_ms=5, seed=seed) as proxy:
        env = {"SCALEOUT_SANDBOX_ENDPOINT": proxy.endpoint, "SCALEOUT_SANDBOX_SECRET_KEY": secret}
        converge = run_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory, skip_tags=["scale_test"],
                                env=env, timeout=1500)
        converge_stats = proxy.stats()
        entry = {"test": "faults", "seed": seed, "stack": stack, "converge_rc": converge.rc,
                 "converge_s": round(converge.elapsed), "calls": converge_stats["requests"],
                 "throttled": converge_stats["throttled"], "server_errors": converge_stats["server_errors"]}
        try:
            assert converge.rc == 0, f"converge failed under faults (seed {seed}):\n{converge.describe()}"
            assert converge_stats["throttled"] > 0 and converge_stats["server_errors"] > 0, converge_stats

            assert_one_converged_stack(sandbox, stack)

            check_security_posture(sandbox, stack)

            # The second run, at the highest verbosity and in text, through the same faults.
            proxy.reset_stats()
            rerun = run_playbook("playbooks/site.yml", sandbox=sandbox, inventory=inventory, skip_tags=["scale_test"],
                                 env=env, verbosity=4, callback="default", timeout=1500)
            entry.update(rerun_rc=rerun.rc, rerun_s=round(rerun.elapsed), rerun_throttled=proxy.stats()["throttled"])
            assert rerun.rc == 0, rerun.describe()
            assert recap(rerun.stdout, stack)["changed"] == 0, rerun.stdout[-4000:]
            assert secret not in rerun.stdout + rerun.stderr, "the secret key appears in the -vvvv output"
            # The module arguments were printed, with the secret masked.
            assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in rerun.stdout

            teardown = run_playbook("playbooks/teardown.yml", sandbox=sandbox, inventory=inventory, env=env, timeout=1500)
            entry.update(teardown_rc=teardown.rc, teardown_s=round(teardown.elapsed))
            assert teardown.rc == 0, teardown.describe()
            left = stack_resources(sandbox, stack)
            entry["left"] = format_resources(left)
            assert not left, f"teardown under faults left {format_resources(left)}"
            entry["survived"] = True
        finally:
            entry.setdefault("survived", False)
            record(entry)


def check_security_posture(sandbox, stack: str) -> None:
    """What AWS says about a converged stack: nothing open to the world but the ALB's listener
    ports, instances reachable only from the ALB, IMDSv2 required, storage encrypted."""
    ec2 = sandbox.client("ec2")
    groups = ec2.describe_security_groups(Filters=[{"Name": "tag:scaleout:stack", "Values": [stack]}])["SecurityGroups"]
    by_id = {g["GroupId"]: g for g in groups}
    elbv2 = sandbox.client("elbv2")
    balancer = elbv2.describe_load_balancers(Names=[f"{stack}-alb"])["LoadBalancers"][0]
    alb_groups = set(balancer["SecurityGroups"])
    for group in groups:
        for rule in group["IpPermissions"]:
            world = [r["CidrIp"] for r in rule.get("IpRanges", []) if r["CidrIp"] == "0.0.0.0/0"]
            world += [r["CidrIpv6"] for r in rule.get("Ipv6Ranges", []) if r["CidrIpv6"] == "::/0"]
            if rule.get("FromPort", 0) <= 22 <= rule.get("ToPort", 65535) or rule.get("IpProtocol") == "-1":
                assert not world, f"{group['GroupId']} allows SSH (or everything) from the world: {rule}"
            if group["GroupId"] not in alb_groups:
                assert not world and not rule.get("IpRanges"), f"instance group {group['GroupId']} open to addresses: {rule}"
                sources = {p["GroupId"] for p in rule.get("UserIdGroupPairs", [])}
                assert sources <= alb_groups and sources, f"instance group accepts {rule} from {sources}"
                assert (rule["FromPort"], rule["ToPort"]) == (80, 80), rule
            else:
                assert rule["FromPort"] in (80, 443), f"the ALB's group opens {rule}"
    assert set(by_id) - alb_groups, "no instance security group"

    templates = ec2.describe_launch_template_versions(LaunchTemplateName=f"{stack}-web", Versions=["$Default"])
    data = templates["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    assert all(m["Ebs"]["Encrypted"] for m in data["BlockDeviceMappings"] if "Ebs" in m)
    instances = [i for r in ec2.describe_instances(Filters=[{"Name": "tag:scaleout:stack", "Values": [stack]},
                                                            {"Name": "instance-state-name", "Values": ["pending", "running"]}])["Reservations"]
                 for i in r["Instances"]]
    assert instances, "no running instance"
    for instance in instances:
        assert instance["MetadataOptions"]["HttpTokens"] == "required", instance["InstanceId"]
    volume_ids = [m["Ebs"]["VolumeId"] for i in instances for m in i["BlockDeviceMappings"]]
    for volume in ec2.describe_volumes(VolumeIds=volume_ids)["Volumes"]:
        assert volume["Encrypted"], f"{volume['VolumeId']} is not encrypted"
    images = ec2.describe_images(Owners=["self"], Filters=[{"Name": "tag:scaleout:stack", "Values": [stack]}])["Images"]
    snapshot_ids = [m["Ebs"]["SnapshotId"] for image in images for m in image["BlockDeviceMappings"] if "Ebs" in m]
    assert snapshot_ids
    for snapshot in ec2.describe_snapshots(SnapshotIds=snapshot_ids)["Snapshots"]:
        assert snapshot["Encrypted"], f"{snapshot['SnapshotId']} is not encrypted"
