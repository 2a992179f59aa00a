"""CreateLoadBalancer, CreateTargetGroup and CreateListener are idempotent as AWS documents: the same
request again answers the existing resource; the same name (or port) with other settings is refused."""

import botocore.exceptions
import pytest

from sandbox_harness import unique


def subnets_and_vpc(box):
    subnets = box.client("ec2").describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    return [s["SubnetId"] for s in subnets[:3]], subnets[0]["VpcId"]


def test_the_same_create_load_balancer_answers_the_existing_one(fresh):
    elb = fresh.client("elbv2")
    (a, b, c), _vpc = subnets_and_vpc(fresh)
    name = unique("idem")
    first = elb.create_load_balancer(Name=name, Subnets=[a, b])["LoadBalancers"][0]
    again = elb.create_load_balancer(Name=name, Subnets=[b, a])["LoadBalancers"][0]
    try:
        assert again["LoadBalancerArn"] == first["LoadBalancerArn"]
        assert [lb for lb in elb.describe_load_balancers()["LoadBalancers"] if lb["LoadBalancerName"] == name] == [
            lb for lb in elb.describe_load_balancers(Names=[name])["LoadBalancers"]]
        assert len(elb.describe_load_balancers(Names=[name])["LoadBalancers"]) == 1
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            elb.create_load_balancer(Name=name, Subnets=[a, c])
        assert refused.value.response["Error"]["Code"] == "DuplicateLoadBalancerName"
    finally:
        elb.delete_load_balancer(LoadBalancerArn=first["LoadBalancerArn"])


def test_the_same_create_target_group_and_listener_answer_the_existing_ones(fresh):
    elb = fresh.client("elbv2")
    (a, b, _c), vpc = subnets_and_vpc(fresh)
    name = unique("idem")
    lb = elb.create_load_balancer(Name=name, Subnets=[a, b])["LoadBalancers"][0]["LoadBalancerArn"]
    try:
        tg = elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
        assert elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"] == tg
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            elb.create_target_group(Name=name, Protocol="HTTP", Port=8080, VpcId=vpc)
        assert refused.value.response["Error"]["Code"] == "DuplicateTargetGroupName"
        forward = [{"Type": "forward", "TargetGroupArn": tg}]
        listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=forward)
        again = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=forward)
        assert again["Listeners"][0]["ListenerArn"] == listener["Listeners"][0]["ListenerArn"]
        assert len(elb.describe_listeners(LoadBalancerArn=lb)["Listeners"]) == 1
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                                DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}])
        assert refused.value.response["Error"]["Code"] == "DuplicateListener"
    finally:
        elb.delete_load_balancer(LoadBalancerArn=lb)
