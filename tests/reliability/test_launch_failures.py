"""A group that cannot launch explains itself (issue #16): the capacity wait of the scaling_group
role (aws_resource_wait on the group) fails as soon as a launch fails in a way that will not heal,
quoting AWS's StatusMessage and naming the likely fix, long before its timeout; a failure that may
heal (no capacity in one zone while another works) does not fail it. The failures come from the
sandbox's fault hooks (launch_failures, insufficient_capacity), in AWS's words."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_playbook, unique_name, write_inventory

REGION = "ap-northeast-2"
TIMEOUT = 900  # the role's default scaling_group_wait_timeout

# kind -> (a fragment of AWS's StatusMessage, a fragment of the fix the failure names)
NEVER_HEALS = {
    "kms_key_policy": ("Client.InternalError: Client error on launch", "AWSServiceRoleForAutoScaling"),
    "launch_template_unauthorized": ("You are not authorized to use launch template: lt-", "ec2:RunInstances"),
    "pass_role": ("is not authorized to perform: iam:PassRole on resource: arn:aws:iam::", "allow iam:PassRole"),
    "instance_limit": ("than your current instance limit of", "Service Quotas"),
    # An invalid profile heals while IAM propagates it; after the grace it is fatal.
    "invalid_profile": ("for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
                        "check its name"),
}


def group_play(tmp_path: Path, group: str) -> Path:
    """The scaling_group role's capacity wait, with the sandbox's module defaults, as site.yml runs it."""
    play = [{"name": "Wait for the group", "hosts": "webtier_stacks", "gather_facts": False,
             "vars_files": [str(REPO / "playbooks" / "vars" / "aws_clients.yml")],
             "module_defaults": {"group/scaleout.webtier.aws":
                                 "{{ scaleout_aws_client_defaults | combine(scaleout_aws_module_defaults | default({}), recursive=true) }}"},
             "tasks": [{"name": "Wait until the group's instances are in service",
                        "scaleout.webtier.aws_resource_wait": {"resource": "group", "ids": [group], "state": "healthy",
                                                               "timeout": TIMEOUT, "poll_interval": 2},
                        "register": "waited"},
                       {"name": "Keep", "ansible.builtin.copy": {"content": "{{ waited | to_json }}",
                                                                 "dest": str(tmp_path / "waited.json"), "mode": "0600"}}]}]
    path = tmp_path / "play.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return path


def make_group(sandbox, name, profile=None, subnets=None):
    ec2, asg = sandbox.client("ec2", region=REGION), sandbox.client("autoscaling", region=REGION)
    images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "architecture", "Values": ["x86_64"]}])["Images"]
    data = {"ImageId": sorted(images, key=lambda i: i["ImageId"])[0]["ImageId"], "InstanceType": "t3.micro"}
    if profile:
        data["IamInstanceProfile"] = {"Name": profile}
    ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)
    subnets = subnets or ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    asg.create_auto_scaling_group(AutoScalingGroupName=name, MinSize=2, MaxSize=2, DesiredCapacity=2,
                                  LaunchTemplate={"LaunchTemplateName": name, "Version": "$Latest"},
                                  VPCZoneIdentifier=",".join(s["SubnetId"] for s in subnets))


def remove_group(sandbox, name):
    sandbox.client("autoscaling", region=REGION).delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True)


def profile_with_role(sandbox, name):
    iam = sandbox.client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    return name


@pytest.mark.parametrize("kind", sorted(NEVER_HEALS))
def test_a_launch_failure_that_will_not_heal_fails_the_wait_at_once_quoting_aws(sandbox, tmp_path, kind):
    name = unique_name("lf")
    profile = profile_with_role(sandbox, name)
    sandbox.set_faults({"launch_failures": {name: kind}})
    try:
        # The profile is propagated when the group is made (the fault alone refuses the launches).
        sandbox.wait_for(lambda: name not in json.dumps(sandbox.state().get("iam_profiles_propagating", [])), 120,
                         "the profile to propagate")
        make_group(sandbox, name, profile)
        started = time.monotonic()
        run = run_playbook(group_play(tmp_path, name), sandbox=sandbox,
                           inventory=write_inventory(tmp_path / "inv", {"lf": None}), timeout=TIMEOUT + 120)
        took = time.monotonic() - started
        assert run.rc != 0, run.describe()
        text = json.dumps(run.failures)
        message, fix = NEVER_HEALS[kind]
        assert "the group cannot launch instances" in text and message in text and fix in text, text
        # Well before the timeout: the wait stopped on the activity, not on the clock.
        assert took < TIMEOUT / 5, took
    finally:
        sandbox.clear_faults()
        remove_group(sandbox, name)


def test_no_capacity_in_one_zone_while_another_works_does_not_fail_the_wait(sandbox, tmp_path):
    name = unique_name("lf")
    ec2 = sandbox.client("ec2", region=REGION)
    subnets = sorted(ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"],
                     key=lambda s: s["AvailabilityZone"])[:2]
    sandbox.set_faults({"insufficient_capacity": [{"zone": subnets[0]["AvailabilityZone"], "instance_type": "t3.micro"}]})
    # A slow boot (harsher than the default) keeps the launches in progress while the wait polls, so
    # the failed launch is the latest word on the group when the wait first reads it.
    sandbox.set_delays({"instance_boot_s": 900})
    try:
        make_group(sandbox, name, subnets=subnets)
        run = run_playbook(group_play(tmp_path, name), sandbox=sandbox,
                           inventory=write_inventory(tmp_path / "inv", {"lf": None}), timeout=TIMEOUT + 120)
        assert run.rc == 0, run.describe()
        activities = sandbox.client("autoscaling", region=REGION).describe_scaling_activities(AutoScalingGroupName=name)
        failed = [a for a in activities["Activities"] if a["StatusCode"] == "Failed"]
        assert failed
        assert "We currently do not have sufficient t3.micro capacity" in failed[0]["StatusMessage"]
        waited = json.loads((tmp_path / "waited.json").read_text())
        assert sorted(set(waited["states"].values())) == ["healthy"] and len(waited["states"]) == 2
    finally:
        sandbox.clear_faults()
        sandbox.set_delays(sandbox.defaults)
        remove_group(sandbox, name)
