"""Reads right after a create (issue #16): EC2 describes do not find a resource created moments ago
(sandbox: describe_after_create_s, on). aws_resource_wait counts "not found" early in a wait as
"not yet"; without that grace it fails at its first poll, naming the image as missing."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import REPO, run_playbook, unique_name, write_inventory

REGION = "ap-northeast-2"


def wait_play(tmp_path: Path, image_id: str) -> Path:
    play = [{"name": "Wait for the new image", "hosts": "webtier_stacks", "gather_facts": False,
             "vars_files": [str(REPO / "playbooks" / "vars" / "aws_clients.yml")],
             "module_defaults": {"group/scaleout.webtier.aws":
                                 "{{ scaleout_aws_client_defaults | combine(scaleout_aws_module_defaults | default({}), recursive=true) }}"},
             "tasks": [{"name": "Wait", "scaleout.webtier.aws_resource_wait": {"resource": "image", "ids": [image_id],
                                                                               "state": "available", "timeout": 600,
                                                                               "poll_interval": 1}}]}]
    path = tmp_path / "play.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return path


def test_a_wait_started_right_after_create_image_waits_for_the_image_to_be_described(sandbox, tmp_path):
    # Describes miss the image for 30 simulated minutes (harsher than the default, so that starting
    # ansible-playbook, several simulated minutes, does not outlast the window).
    sandbox.set_delays({"describe_after_create_s": 1800})
    ec2 = sandbox.client("ec2", region=REGION)
    try:
        images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "architecture", "Values": ["x86_64"]}])["Images"]
        instance = ec2.run_instances(ImageId=sorted(images, key=lambda i: i["ImageId"])[0]["ImageId"], MinCount=1,
                                     MaxCount=1, InstanceType="t3.micro")["Instances"][0]["InstanceId"]
        image = ec2.create_image(InstanceId=instance, Name=unique_name("rac"))["ImageId"]
        run = run_playbook(wait_play(tmp_path, image), sandbox=sandbox,
                           inventory=write_inventory(tmp_path / "inv", {"rac": None}), timeout=600)
        assert run.rc == 0, run.describe()
        assert image not in sandbox.state()["not_yet_described"]
    finally:
        sandbox.set_delays(sandbox.defaults)
        ec2.terminate_instances(InstanceIds=[instance])
        ec2.deregister_image(ImageId=image)
