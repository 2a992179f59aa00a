"""Runs after test_1 (file order): it changes the provisioning content, which a later converge
with the default content would change back.

A change of provisioning content bakes a new image, makes a new default launch template version,
rolls the group onto it with an instance refresh, and retention removes the oldest image and its
snapshots but never the one in use. A run without change starts nothing."""

import os
import re
import subprocess
from pathlib import Path

PROJECT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[3]))


def converge(*extra):
    run = subprocess.run(
        ["ansible-playbook", "playbooks/site.yml", "--skip-tags", "scale_test", "-e", "bake_keep_images=1", *extra],
        cwd=PROJECT, capture_output=True, text=True, timeout=900,
        env=dict(os.environ, ANSIBLE_CONFIG=str(PROJECT / "ansible.cfg"), ANSIBLE_FORCE_COLOR="0"),
    )
    assert run.returncode == 0, run.stdout[-4000:]
    return sum(int(n) for n in re.findall(r"changed=(\d+)", run.stdout.split("PLAY RECAP")[-1])), run.stdout


def stack_images(ec2, stack):
    images = ec2.describe_images(Owners=["self"], Filters=[{"Name": "tag:scaleout:stack", "Values": [stack]}])["Images"]
    return {i["ImageId"]: i for i in images}


def default_version(ec2, stack):
    template = ec2.describe_launch_templates(LaunchTemplateNames=[stack + "-web"])["LaunchTemplates"][0]
    version = ec2.describe_launch_template_versions(LaunchTemplateName=stack + "-web", Versions=[str(template["DefaultVersionNumber"])])
    return template["DefaultVersionNumber"], version["LaunchTemplateVersions"][0]["LaunchTemplateData"]["ImageId"]


def test_new_provisioning_rebakes_rolls_and_retires(primary):
    stack, aws = primary
    ec2, autoscaling = aws("ec2"), aws("autoscaling")
    group = stack + "-asg"
    first_version, first_image = default_version(ec2, stack)

    changed, _out = converge("-e", "bake_extra_script=echo provisioning v2")
    assert changed > 0
    second_version, second_image = default_version(ec2, stack)
    assert second_version == first_version + 1 and second_image != first_image
    images = stack_images(ec2, stack)
    assert first_image in images  # still the image in use when retention ran
    refreshes = autoscaling.describe_instance_refreshes(AutoScalingGroupName=group)["InstanceRefreshes"]
    assert refreshes and refreshes[0]["Status"] == "Successful"
    assert refreshes[0]["Preferences"]["MinHealthyPercentage"] == 90
    instances = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0]["Instances"]
    assert instances and {i["LaunchTemplate"]["Version"] for i in instances} == {str(second_version)}
    reservations = ec2.describe_instances(InstanceIds=[i["InstanceId"] for i in instances])["Reservations"]
    assert {i["ImageId"] for r in reservations for i in r["Instances"]} == {second_image}

    first_snapshots = [m["Ebs"]["SnapshotId"] for m in images[first_image]["BlockDeviceMappings"] if "Ebs" in m]
    changed, _out = converge("-e", "bake_extra_script=echo provisioning v3")
    third_version, third_image = default_version(ec2, stack)
    images = stack_images(ec2, stack)
    assert first_image not in images  # the oldest, no longer in use, went with keep=1
    assert second_image in images  # in use by the template when retention ran: kept
    assert third_image in images
    left = ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": "snapshot-id", "Values": first_snapshots}])["Snapshots"]
    assert left == []

    refreshes_before = len(autoscaling.describe_instance_refreshes(AutoScalingGroupName=group)["InstanceRefreshes"])
    changed, _out = converge("-e", "bake_extra_script=echo provisioning v3")
    assert changed == 0
    assert default_version(ec2, stack) == (third_version, third_image)
    assert len(autoscaling.describe_instance_refreshes(AutoScalingGroupName=group)["InstanceRefreshes"]) == refreshes_before
