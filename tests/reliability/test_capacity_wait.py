"""The capacity wait on a busy controller (issue #18): group_capacity_wait reads AWS itself, one
DescribeAutoScalingGroups call a poll and no module process, and reports the time to N instances
from AWS's own activity timestamps - which it still gets right when a second process keeps every
CPU of the machine busy. With a module process per poll (the former wait), such a poll took several
real seconds, that is several simulated minutes, and the reported time was the poll's.

The group here is made directly (boto3, no target group), so that the wait is the only thing the
playbook does and every call in the request log is the wait's."""

from __future__ import annotations

import multiprocessing
import os
from datetime import datetime
from email.utils import parsedate_to_datetime

import yaml
from conftest import REPO, clear_requests, requests_log, run_playbook, unique_name, write_inventory

REGION = "ap-northeast-2"
POLL_INTERVAL = 1  # real seconds, as the sandbox inventory's scale_test_poll_interval


def _spin(_worker):
    while True:
        pass


class BusyCpus:
    """A second process pool that keeps every CPU busy while the wait runs."""

    def __enter__(self):
        self.pool = multiprocessing.get_context("spawn").Pool(os.cpu_count())
        self.pool.map_async(_spin, range(os.cpu_count()))
        return self

    def __exit__(self, *exc):
        self.pool.terminate()
        self.pool.join()


def parse(text) -> datetime:
    return text if isinstance(text, datetime) else datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def group_of_one(sandbox, name: str) -> None:
    ec2, asg = sandbox.client("ec2", region=REGION), sandbox.client("autoscaling", region=REGION)
    image = sorted(ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "architecture", "Values": ["x86_64"]}])["Images"],
                   key=lambda i: i["ImageId"])[0]["ImageId"]
    ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"})
    asg.create_auto_scaling_group(AutoScalingGroupName=name, LaunchTemplate={"LaunchTemplateName": name, "Version": "$Latest"},
                                  MinSize=1, MaxSize=3, DesiredCapacity=1, AvailabilityZones=[REGION + "a"])
    sandbox.wait_for(lambda: [i for i in asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]["Instances"]
                              if i["LifecycleState"] == "InService"], 1200, "one instance in service")


def wait_play(tmp_path, name: str, since: str):
    play = [{"name": "The capacity wait", "hosts": "webtier_stacks", "gather_facts": False,
             "vars_files": [str(REPO / "playbooks" / "vars" / "aws_clients.yml")],
             "module_defaults": {"group/scaleout.webtier.aws":
                                 "{{ scaleout_aws_client_defaults | combine(scaleout_aws_module_defaults | default({}), recursive=true) }}"},
             "tasks": [{"name": "Wait for 3", "scaleout.webtier.group_capacity_wait": {
                 "name": name, "since": since, "target_count": 3, "timeout": 900, "poll_interval": POLL_INTERVAL}}]}]
    path = tmp_path / "wait.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return path


def test_a_busy_controller_reports_aws_times_and_polls_with_one_call_each(sandbox, tmp_path):
    name = unique_name("wait")
    group_of_one(sandbox, name)
    asg = sandbox.client("autoscaling", region=REGION)
    # The start, in the API's time (the Date header) of an answer just before the change: on the
    # sandbox's fast clock the change's own answer is dated a few simulated seconds after its launches.
    answer = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    since = parsedate_to_datetime(answer["ResponseMetadata"]["HTTPHeaders"]["date"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=3)
    inventory = write_inventory(tmp_path / "inv", {"wait": None})
    clear_requests(sandbox)
    with BusyCpus():
        run = run_playbook(wait_play(tmp_path, name, since), sandbox=sandbox, inventory=inventory, timeout=900)
    calls = requests_log(sandbox)
    assert run.rc == 0, run.describe()
    result = [r for task, r in run.results["wait"] if task == "Wait for 3"][0]
    assert result["reached"], result

    # AWS's own answer, read here: the end of the launch activity that made three in service.
    activities = asg.describe_scaling_activities(AutoScalingGroupName=name)["Activities"]
    ends = sorted(a["EndTime"] for a in activities
                  if a["Description"].startswith("Launching") and a["StatusCode"] == "Successful" and a["StartTime"] >= parse(since))
    assert len(ends) >= 2, (since, [(a["Description"], str(a["StartTime"]), str(a.get("EndTime")), a["StatusCode"]) for a in activities])
    aws_time = (ends[1] - parse(since)).total_seconds()  # the first instance was there before; two more make three
    api_seconds_per_poll = 60.0 * POLL_INTERVAL / sandbox.clock()["seconds_per_simulated_minute"]
    assert abs(result["time_to_target_s"] - aws_time) <= api_seconds_per_poll, (result["time_to_target_s"], aws_time)
    assert result["seen_reached_after_s"] >= result["time_to_target_s"]

    # One DescribeAutoScalingGroups a poll (no target group), then one full read at the end.
    by_action = {}
    for call in calls:
        by_action[call["action"]] = by_action.get(call["action"], 0) + 1
    assert by_action.pop("DescribeAutoScalingGroups") == result["polls"] + 1, by_action
    assert by_action == {"DescribePolicies": 1, "DescribeScalingActivities": 1, "GetMetricStatistics": 3}, by_action
