"""RunInstances honours ClientToken, and image names are unique per account and region, as on AWS."""

import uuid

import botocore.exceptions
import pytest

from sandbox_harness import linux_image


def test_run_instances_with_the_same_client_token_launches_once(fresh):
    ec2 = fresh.client("ec2")
    image = linux_image(ec2)
    token = uuid.uuid4().hex
    first = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", ClientToken=token)
    again = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", ClientToken=token)
    ids = [i["InstanceId"] for i in first["Instances"]]
    try:
        assert [i["InstanceId"] for i in again["Instances"]] == ids
        assert again["ReservationId"] == first["ReservationId"]
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.small", ClientToken=token)
        assert refused.value.response["Error"]["Code"] == "IdempotentParameterMismatch"
        # Another token is another launch.
        other = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                  ClientToken=uuid.uuid4().hex)
        ids += [i["InstanceId"] for i in other["Instances"]]
        assert len(set(ids)) == 2
    finally:
        ec2.terminate_instances(InstanceIds=ids)


def test_an_image_name_is_refused_while_another_image_has_it(fresh):
    ec2 = fresh.client("ec2")
    instance = ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    name = f"idem-{uuid.uuid4().hex[:8]}"
    try:
        image = ec2.create_image(InstanceId=instance, Name=name)["ImageId"]
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            ec2.create_image(InstanceId=instance, Name=name)
        assert refused.value.response["Error"]["Code"] == "InvalidAMIName.Duplicate"
        assert image in refused.value.response["Error"]["Message"]
        # A filtered describe sees the new image a while after the create (describe_after_create_s).
        named = fresh.wait_for(lambda: ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": [name]}])["Images"],
                               120, "the image in a filtered describe")
        assert len(named) == 1
        ec2.deregister_image(ImageId=image)
        again = ec2.create_image(InstanceId=instance, Name=name)["ImageId"]
        ec2.deregister_image(ImageId=again)
    finally:
        ec2.terminate_instances(InstanceIds=[instance])


def test_launch_template_creates_with_the_same_client_token_make_one_template_and_one_version(fresh):
    """CreateLaunchTemplate and CreateLaunchTemplateVersion: the same token and parameters answer the
    first call's template or version; the same token with other parameters IdempotentParameterMismatch."""
    ec2 = fresh.client("ec2")
    name, token = f"idem-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    data = {"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"}
    first = ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data, ClientToken=token)["LaunchTemplate"]
    try:
        again = ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data, ClientToken=token)["LaunchTemplate"]
        assert again["LaunchTemplateId"] == first["LaunchTemplateId"]
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=dict(data, InstanceType="t3.small"), ClientToken=token)
        assert refused.value.response["Error"]["Code"] == "IdempotentParameterMismatch"
        # Without the token (another one), the name is taken.
        with pytest.raises(botocore.exceptions.ClientError) as taken:
            ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)
        assert taken.value.response["Error"]["Code"] == "InvalidLaunchTemplateName.AlreadyExistsException"

        small = dict(data, InstanceType="t3.small")
        version_token = uuid.uuid4().hex
        made = [ec2.create_launch_template_version(LaunchTemplateId=first["LaunchTemplateId"], LaunchTemplateData=small,
                                                   ClientToken=version_token)["LaunchTemplateVersion"]["VersionNumber"]
                for _attempt in range(2)]
        assert made == [2, 2]
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            ec2.create_launch_template_version(LaunchTemplateId=first["LaunchTemplateId"], LaunchTemplateData=data,
                                               ClientToken=version_token)
        assert refused.value.response["Error"]["Code"] == "IdempotentParameterMismatch"
        versions = ec2.describe_launch_template_versions(LaunchTemplateId=first["LaunchTemplateId"])["LaunchTemplateVersions"]
        assert sorted(v["VersionNumber"] for v in versions) == [1, 2]
        # Another token is another version.
        other = ec2.create_launch_template_version(LaunchTemplateId=first["LaunchTemplateId"], LaunchTemplateData=small)
        assert other["LaunchTemplateVersion"]["VersionNumber"] == 3
    finally:
        ec2.delete_launch_template(LaunchTemplateId=first["LaunchTemplateId"])
