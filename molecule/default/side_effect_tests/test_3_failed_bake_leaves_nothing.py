"""A bake whose provisioning fails stops the run with the console's verdict and leaves no temporary
instance, security group or half-made image behind (the stack as it was stays untouched)."""

import json
import os
import subprocess
from pathlib import Path

PROJECT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[3]))
FAILING = "#!/usr/bin/env bash\necho provisioning a broken image\nexit 3\n"


def test_failed_provisioning_leaves_nothing(primary):
    stack, aws = primary
    ec2 = aws("ec2")
    images_before = {i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"]}
    run = subprocess.run(
        ["ansible-playbook", "playbooks/site.yml", "--skip-tags", "scale_test", "--limit", stack,
         "-e", json.dumps({"bake_provision_script": FAILING})],
        cwd=PROJECT, capture_output=True, text=True, timeout=900,
        env=dict(os.environ, ANSIBLE_CONFIG=str(PROJECT / "ansible.cfg"), ANSIBLE_FORCE_COLOR="0"),
    )
    assert run.returncode != 0
    assert "the bake failed and left nothing behind" in run.stdout
    assert "Failed to run module scripts-user" in run.stdout  # cloud-init's verdict, from the console
    temporary = [{"Name": "tag:scaleout:role", "Values": ["bake-temporary"]}, {"Name": "tag:scaleout:stack", "Values": [stack]}]
    live = [i["InstanceId"] for r in ec2.describe_instances(Filters=temporary)["Reservations"] for i in r["Instances"]
            if i["State"]["Name"] not in ("terminated", "shutting-down")]
    assert live == []
    assert ec2.describe_security_groups(Filters=temporary)["SecurityGroups"] == []
    assert {i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"]} == images_before
