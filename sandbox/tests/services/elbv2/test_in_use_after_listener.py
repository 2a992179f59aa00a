"""DeleteTargetGroup answers ResourceInUse for target_group_in_use_s (simulated) after the listener
or load balancer that forwarded to it is deleted, as AWS does; then it succeeds."""

import botocore.exceptions
import pytest

from sandbox_harness import unique


def balancer_with_target_group(box):
    ec2, elb = box.client("ec2"), box.client("elbv2")
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    name = unique("inuse")
    lb = elb.create_load_balancer(Name=name, Subnets=[s["SubnetId"] for s in subnets[:2]])["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=subnets[0]["VpcId"])["TargetGroups"][0]["TargetGroupArn"]
    listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                                   DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]["ListenerArn"]
    return elb, lb, tg, listener


@pytest.mark.parametrize("delete", ["listener", "load balancer"])
def test_a_target_group_is_in_use_for_a_while_after_its_listener_goes(fresh, delete):
    fresh.set_delays({"target_group_in_use_s": 120})
    elb, lb, tg, listener = balancer_with_target_group(fresh)
    if delete == "listener":
        elb.delete_listener(ListenerArn=listener)
    else:
        elb.delete_load_balancer(LoadBalancerArn=lb)
    deleted_at = fresh.sim_now()
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        elb.delete_target_group(TargetGroupArn=tg)
    assert refused.value.response["Error"]["Code"] == "ResourceInUse"
    assert f"The target group '{tg}' is currently in use by a listener or a rule" in refused.value.response["Error"]["Message"]
    fresh.wait_for(lambda: fresh.sim_now() - deleted_at > 120, 300, "the window to pass")
    elb.delete_target_group(TargetGroupArn=tg)
    assert not [g for g in elb.describe_target_groups()["TargetGroups"] if g["TargetGroupArn"] == tg]
    if delete == "listener":
        elb.delete_load_balancer(LoadBalancerArn=lb)
