"""Instance refresh: batches that honour MinHealthyPercentage and the warmup, progress, cancel."""

import pytest
from botocore.exceptions import ClientError


def refresh(web, refresh_id):
    return web.asg.describe_instance_refreshes(AutoScalingGroupName=web.name,
                                               InstanceRefreshIds=[refresh_id])["InstanceRefreshes"][0]


def test_instance_refresh_replaces_every_instance_in_batches(tier):
    web = tier(instance_type="t3.micro").launch_template().load_balancer(interval=10).group(
        min_size=2, desired=4, max_size=6, HealthCheckType="ELB", HealthCheckGracePeriod=60)
    old = set(web.wait_in_service(4))
    web.ec2.create_launch_template_version(LaunchTemplateName=web.name, SourceVersion="1",
                                           LaunchTemplateData={"InstanceType": "t3.small"})
    refresh_id = web.asg.start_instance_refresh(
        AutoScalingGroupName=web.name, Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 60})["InstanceRefreshId"]
    with pytest.raises(ClientError) as err:
        web.asg.start_instance_refresh(AutoScalingGroupName=web.name)
    assert err.value.response["Error"]["Code"] == "InstanceRefreshInProgress"

    seen, progress, healthy_floor = set(), [], 4

    def finished():
        current = refresh(web, refresh_id)
        seen.add(current["Status"])
        progress.append(current.get("PercentageComplete", 0))
        nonlocal healthy_floor
        group = web.describe()
        serving = [i for i in group["Instances"] if i["LifecycleState"] == "InService"]
        healthy_floor = min(healthy_floor, len(serving))
        return current["Status"] in ("Successful", "Failed", "Cancelled") and current

    done = web.box.wait_for(finished, 3600, "the refresh to finish", poll_real=0.05)
    assert done["Status"] == "Successful" and done["PercentageComplete"] == 100 and done["InstancesToUpdate"] == 0
    assert "InProgress" in seen
    assert progress == sorted(progress) and 0 < len(set(progress)) - 1  # it moved in steps
    assert healthy_floor >= 2  # MinHealthyPercentage 50 of 4
    now = web.describe()["Instances"]
    assert not old & {i["InstanceId"] for i in now} and len(now) == 4
    assert {i["InstanceType"] for i in now} == {"t3.small"}
    causes = [a["Cause"] for a in web.activities()]
    assert sum("taken out of service in response to an instance refresh" in c for c in causes) == 4
    assert sum("launched in response to an instance refresh" in c for c in causes) == 4


def test_cancel_instance_refresh(tier):
    web = tier(instance_type="t3.micro").launch_template().group(min_size=1, desired=2, max_size=4)
    web.wait_in_service(2)
    with pytest.raises(ClientError) as err:
        web.asg.cancel_instance_refresh(AutoScalingGroupName=web.name)
    assert err.value.response["Error"]["Code"] == "ActiveInstanceRefreshNotFound"
    refresh_id = web.asg.start_instance_refresh(AutoScalingGroupName=web.name)["InstanceRefreshId"]
    assert web.asg.cancel_instance_refresh(AutoScalingGroupName=web.name)["InstanceRefreshId"] == refresh_id
    web.box.wait_for(lambda: refresh(web, refresh_id)["Status"] == "Cancelled", 300, "Cancelled")
    listed = web.asg.describe_instance_refreshes(AutoScalingGroupName=web.name)["InstanceRefreshes"]
    assert [r["InstanceRefreshId"] for r in listed] == [refresh_id]
