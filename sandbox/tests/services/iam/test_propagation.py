"""IAM propagation: a new instance profile is refused by RunInstances and CreateAutoScalingGroup
until iam_propagation_s has passed, with AWS's errors."""

import pytest
from botocore.exceptions import ClientError

from sandbox_harness import Tier, linux_image, unique


def test_a_new_instance_profile_is_refused_until_it_has_propagated(fresh):
    fresh.set_delays({"iam_propagation_s": 600})
    iam, ec2, asg = fresh.client("iam"), fresh.client("ec2"), fresh.client("autoscaling")
    name = unique("prof")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}')
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    assert iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Roles"]  # IAM itself answers at once
    with pytest.raises(ClientError) as run:
        ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro",
                          IamInstanceProfile={"Name": name})
    assert run.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert run.value.response["Error"]["Message"] == (
        f"Value ({name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name")
    web = Tier(fresh, name=name).launch_template(IamInstanceProfile={"Name": name})
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:1]
    with pytest.raises(ClientError) as create:
        asg.create_auto_scaling_group(AutoScalingGroupName=name, MinSize=0, MaxSize=1, DesiredCapacity=0,
                                      LaunchTemplate={"LaunchTemplateName": name, "Version": "$Latest"},
                                      VPCZoneIdentifier=",".join(subnets))
    assert create.value.response["Error"]["Code"] == "ValidationError"
    assert create.value.response["Error"]["Message"].startswith(
        f"You must use a valid fully-formed launch template. Value ({name}) for parameter iamInstanceProfile.name is invalid.")
    assert name in fresh.state()["iam_profiles_propagating"]
    fresh.sleep_sim(601)
    asg.create_auto_scaling_group(AutoScalingGroupName=name, MinSize=0, MaxSize=1, DesiredCapacity=0,
                                  LaunchTemplate={"LaunchTemplateName": name, "Version": "$Latest"},
                                  VPCZoneIdentifier=",".join(subnets))
    iid = ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro",
                            IamInstanceProfile={"Name": name})["Instances"][0]["InstanceId"]
    ec2.terminate_instances(InstanceIds=[iid])
    asg.delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True)
    web.ec2.delete_launch_template(LaunchTemplateName=name)
