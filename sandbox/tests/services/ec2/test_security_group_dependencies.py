"""DeleteSecurityGroup answers DependencyViolation while something depends on the group: a load
balancer's network interfaces, which outlive DeleteLoadBalancer for lb_interfaces_linger_s
(simulated), or another group's rule that names it."""

import botocore.exceptions
import pytest

from sandbox_harness import run_instance, unique


def refused(ec2, group_id):
    with pytest.raises(botocore.exceptions.ClientError) as error:
        ec2.delete_security_group(GroupId=group_id)
    return error.value.response["Error"]


def test_a_load_balancers_interfaces_hold_its_group_for_a_while_after_it_is_deleted(fresh):
    fresh.set_delays({"lb_interfaces_linger_s": 300})
    ec2, elb = fresh.client("ec2"), fresh.client("elbv2")
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][:2]
    group = ec2.create_security_group(GroupName=unique("alb"), Description="alb", VpcId=subnets[0]["VpcId"])["GroupId"]
    name = unique("eni")
    lb = elb.create_load_balancer(Name=name, Subnets=[s["SubnetId"] for s in subnets], SecurityGroups=[group])["LoadBalancers"][0]
    interfaces = ec2.describe_network_interfaces(Filters=[{"Name": "group-id", "Values": [group]}])["NetworkInterfaces"]
    lb_id = lb["LoadBalancerArn"].rsplit("/", 1)[-1]
    assert sorted(i["SubnetId"] for i in interfaces) == sorted(s["SubnetId"] for s in subnets)
    assert {i["Description"] for i in interfaces} == {f"ELB app/{name}/{lb_id}"}
    elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    deleted_at = fresh.sim_now()
    assert refused(ec2, group) == {"Code": "DependencyViolation", "Message": f"resource {group} has a dependent object"}
    fresh.wait_for(lambda: not ec2.describe_network_interfaces(Filters=[{"Name": "group-id", "Values": [group]}])["NetworkInterfaces"],
                   900, "the interfaces to be released")
    assert fresh.sim_now() - deleted_at >= 300
    ec2.delete_security_group(GroupId=group)


def test_a_group_named_by_another_groups_rule_cannot_go_first(fresh):
    ec2 = fresh.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    alb = ec2.create_security_group(GroupName=unique("alb"), Description="alb", VpcId=vpc)["GroupId"]
    web = ec2.create_security_group(GroupName=unique("web"), Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "UserIdGroupPairs": [{"GroupId": alb}]}])
    assert refused(ec2, alb)["Code"] == "DependencyViolation"
    ec2.delete_security_group(GroupId=web)
    ec2.delete_security_group(GroupId=alb)


def test_an_instances_interface_holds_its_group_until_the_instance_is_terminated(fresh):
    ec2 = fresh.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName=unique("web"), Description="web", VpcId=vpc)["GroupId"]
    instance = run_instance(fresh, SecurityGroupIds=[group])["InstanceId"]
    fresh.wait_for(lambda: ec2.describe_instances(InstanceIds=[instance])["Reservations"], 60, "the instance described")
    ec2.terminate_instances(InstanceIds=[instance])
    assert ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["State"]["Name"] == "shutting-down"
    assert refused(ec2, group)["Code"] == "DependencyViolation"
    fresh.wait_for(lambda: ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["State"]["Name"]
                   == "terminated", 300, "terminated")
    assert not ec2.describe_network_interfaces(Filters=[{"Name": "group-id", "Values": [group]}])["NetworkInterfaces"]
    ec2.delete_security_group(GroupId=group)
