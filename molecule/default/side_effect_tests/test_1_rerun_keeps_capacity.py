"""A re-run of provisioning must not reset a desired capacity the scaling policy changed since
(a well-known trap: tools that always send DesiredCapacity shrink a group that scaled out)."""

import os
import re
import subprocess
from pathlib import Path

PROJECT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[3]))


def test_rerun_after_the_group_changed_its_capacity(primary):
    stack, aws = primary
    autoscaling = aws("autoscaling")
    group = stack + "-asg"
    # Stand in for the policy: keep the sandbox's controller from scaling while we look.
    autoscaling.suspend_processes(AutoScalingGroupName=group, ScalingProcesses=["AlarmNotification"])
    try:
        autoscaling.set_desired_capacity(AutoScalingGroupName=group, DesiredCapacity=3)
        run = subprocess.run(
            ["ansible-playbook", "playbooks/site.yml", "--skip-tags", "scale_test"],
            cwd=PROJECT, capture_output=True, text=True, timeout=900,
            env=dict(os.environ, ANSIBLE_CONFIG=str(PROJECT / "ansible.cfg"), ANSIBLE_FORCE_COLOR="0"),
        )
        assert run.returncode == 0, run.stdout[-3000:]
        changed = [int(n) for n in re.findall(r"changed=(\d+)", run.stdout.split("PLAY RECAP")[-1])]
        assert len(changed) > 1 and sum(changed) == 0, run.stdout[-3000:]
        after = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0]
        assert after["DesiredCapacity"] == 3
    finally:
        autoscaling.resume_processes(AutoScalingGroupName=group, ScalingProcesses=["AlarmNotification"])
