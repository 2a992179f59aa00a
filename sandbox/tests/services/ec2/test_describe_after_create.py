"""EC2 describes do not see a resource created moments ago (knob describe_after_create_s)."""

import pytest
from botocore.exceptions import ClientError

from sandbox_harness import linux_image, unique


def not_found(call, code):
    with pytest.raises(ClientError) as err:
        call()
    assert err.value.response["Error"]["Code"] == code
    return err.value.response["Error"]["Message"]


def test_a_new_group_instance_image_and_template_are_not_described_until_consistent(fresh):
    # A long window (harsher than the default) so that the test does not depend on the machine's speed.
    fresh.set_delays({"describe_after_create_s": 600, "instance_pending_s": 0})
    ec2 = fresh.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    name = unique("eventual")
    group = ec2.create_security_group(GroupName=name, Description="d", VpcId=vpc,
                                      TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "t", "Value": name}]}])["GroupId"]
    message = not_found(lambda: ec2.describe_security_groups(GroupIds=[group]), "InvalidGroup.NotFound")
    assert message == f"The security group '{group}' does not exist"
    assert ec2.describe_security_groups(Filters=[{"Name": "tag:t", "Values": [name]}])["SecurityGroups"] == []

    instance = ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                 SecurityGroupIds=[group])["Instances"][0]["InstanceId"]  # other APIs see the group
    not_found(lambda: ec2.describe_instances(InstanceIds=[instance]), "InvalidInstanceID.NotFound")
    assert ec2.describe_instances(Filters=[{"Name": "instance-id", "Values": [instance]}])["Reservations"] == []

    image = ec2.create_image(InstanceId=instance, Name=name)["ImageId"]
    assert "does not exist" in not_found(lambda: ec2.describe_images(ImageIds=[image]), "InvalidAMIID.NotFound")
    assert ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": [name]}])["Images"] == []

    template = ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": image})["LaunchTemplate"]["LaunchTemplateId"]
    not_found(lambda: ec2.describe_launch_templates(LaunchTemplateIds=[template]), "InvalidLaunchTemplateId.NotFound")
    not_found(lambda: ec2.describe_launch_templates(LaunchTemplateNames=[name]), "InvalidLaunchTemplateName.NotFoundException")
    assert {group, instance, image, template} <= set(fresh.state()["not_yet_described"])

    # Once consistent, every describe sees them.
    fresh.set_delays({"describe_after_create_s": 0})
    assert ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["GroupName"] == name
    assert ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["InstanceId"] == instance
    assert ec2.describe_images(ImageIds=[image])["Images"][0]["Name"] == name
    assert ec2.describe_launch_templates(LaunchTemplateNames=[name])["LaunchTemplates"][0]["LaunchTemplateId"] == template
    ec2.terminate_instances(InstanceIds=[instance])


def test_the_window_is_short_by_default(fresh):
    ec2 = fresh.client("ec2")
    instance = ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]["InstanceId"]
    assert fresh.delays()["describe_after_create_s"] == 15
    fresh.wait_for(lambda: instance not in fresh.state()["not_yet_described"], 60, "the instance to be described")
    assert ec2.describe_instances(InstanceIds=[instance])["Reservations"]
    ec2.terminate_instances(InstanceIds=[instance])
