"""Each moto gap the sandbox fixes (docs/sandbox.md, "Gaps fixed"), pinned by the AWS-valid request
that moto got wrong. Gaps covered elsewhere are named in the docs next to their tests."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import linux_image, unique

ALL_GROUP_METRICS = {
    "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances",
    "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances", "GroupInServiceCapacity",
    "GroupPendingCapacity", "GroupStandbyCapacity", "GroupTerminatingCapacity", "GroupTotalCapacity",
}


def instances_of(web):
    ids = [i["InstanceId"] for i in web.describe()["Instances"]]
    return [i for r in web.ec2.describe_instances(InstanceIds=ids)["Reservations"] for i in r["Instances"]]


def test_launch_template_tags_do_not_leak_into_the_version_data(fresh):
    ec2 = fresh.client("ec2")
    name = unique("lt")
    ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": linux_image(ec2), "InstanceType": "t3.micro"},
                               TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "stack", "Value": "demo"}]}])
    data = ec2.describe_launch_template_versions(LaunchTemplateName=name)["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    assert "TagSpecifications" not in data
    template = ec2.describe_launch_templates(LaunchTemplateNames=[name])["LaunchTemplates"][0]
    assert template["Tags"] == [{"Key": "stack", "Value": "demo"}]


def test_launch_template_settings_reach_group_instances_and_volumes(tier):
    web = tier(instance_type="t3.micro").launch_template(
        MetadataOptions={"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"},
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "VolumeType": "gp3"}}],
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]},
                           {"ResourceType": "volume", "Tags": [{"Key": "stack", "Value": "demo"}]}],
    ).group(min_size=0, desired=1, max_size=1)
    instance = instances_of(web)[0]
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert instance["MetadataOptions"]["HttpPutResponseHopLimit"] == 2
    assert instance["Monitoring"]["State"] == "enabled"
    assert {"Key": "Name", "Value": "web"} in instance["Tags"]
    # One volume: the image's root device, as the template configures it; no extra /dev/sda1.
    assert [b["DeviceName"] for b in instance["BlockDeviceMappings"]] == ["/dev/xvda"]
    volume = web.ec2.describe_volumes(VolumeIds=[instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]])["Volumes"][0]
    image = web.ec2.describe_images(ImageIds=[web.image_id])["Images"][0]
    # No VolumeSize in the template: the size comes from the image's snapshot (moto failed the launch).
    assert volume["Size"] == image["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"]
    assert (volume["Encrypted"], volume["VolumeType"]) == (True, "gp3")
    assert {"Key": "stack", "Value": "demo"} in volume["Tags"]
    described = web.describe()["Instances"][0]["LaunchTemplate"]
    assert described["Version"] == "1"


def test_root_volumes_of_amazon_images_are_deleted_with_the_instance(fresh):
    ec2 = fresh.client("ec2")
    instance = ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    volume_id = instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"] if instance["BlockDeviceMappings"] else \
        ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    assert ec2.describe_volumes(Filters=[{"Name": "volume-id", "Values": [volume_id]}])["Volumes"] == []


def test_default_instance_warmup_is_stored_returned_and_cleared(tier):
    web = tier().launch_template().group(min_size=0, desired=0, max_size=1, DefaultInstanceWarmup=120)
    assert web.describe()["DefaultInstanceWarmup"] == 120
    web.asg.update_auto_scaling_group(AutoScalingGroupName=web.name, DefaultInstanceWarmup=30, DefaultCooldown=60)
    group = web.describe()
    assert (group["DefaultInstanceWarmup"], group["DefaultCooldown"]) == (30, 60)
    web.asg.update_auto_scaling_group(AutoScalingGroupName=web.name, DefaultInstanceWarmup=-1)
    assert "DefaultInstanceWarmup" not in web.describe()


def test_metrics_collection_enable_all_and_disable(tier):
    web = tier().launch_template().group(min_size=0, desired=0, max_size=1)
    web.asg.enable_metrics_collection(AutoScalingGroupName=web.name, Granularity="1Minute")
    assert {m["Metric"] for m in web.describe()["EnabledMetrics"]} == ALL_GROUP_METRICS
    web.box.wait_for(lambda: web.cw.list_metrics(Namespace="AWS/AutoScaling", MetricName="GroupDesiredCapacity",
                                                 Dimensions=[{"Name": "AutoScalingGroupName", "Value": web.name}])["Metrics"],
                     180, "group metrics published")
    web.asg.disable_metrics_collection(AutoScalingGroupName=web.name, Metrics=["GroupMinSize"])
    assert "GroupMinSize" not in {m["Metric"] for m in web.describe()["EnabledMetrics"]}
    web.asg.disable_metrics_collection(AutoScalingGroupName=web.name)
    assert web.describe()["EnabledMetrics"] == []


def test_scaling_activities_are_listed_newest_first_and_paginated(tier):
    web = tier(instance_type="t3.micro").launch_template().group(min_size=0, desired=2, max_size=3)
    web.asg.set_desired_capacity(AutoScalingGroupName=web.name, DesiredCapacity=3)
    first = web.asg.describe_scaling_activities(AutoScalingGroupName=web.name, MaxRecords=1)
    assert len(first["Activities"]) == 1 and first["NextToken"]
    assert "explicitly set group desired capacity" in first["Activities"][0]["Cause"]
    everything = web.activities()
    assert len(everything) == 3
    starts = [a["StartTime"] for a in everything]
    assert starts == sorted(starts, reverse=True)
    assert web.asg.describe_scaling_activities(AutoScalingGroupName=unique("none"))["Activities"] == []


def test_target_tracking_alarms_start_insufficient_data_and_go_with_the_policy(tier):
    web = tier().launch_template().group(min_size=0, desired=0, max_size=1).policy(target=60.0)
    alarms = web.alarms()
    assert sorted(a["Threshold"] for a in alarms) == [54.0, 60.0]
    assert all(a["StateValue"] == "INSUFFICIENT_DATA" for a in alarms)
    history = web.cw.describe_alarm_history(AlarmName=alarms[0]["AlarmName"])["AlarmHistoryItems"]
    assert history[-1]["HistoryItemType"] == "ConfigurationUpdate"
    web.asg.delete_policy(AutoScalingGroupName=web.name, PolicyName=f"{web.name}-cpu")
    assert web.alarms() == []


def test_alarm_period_follows_detailed_or_basic_monitoring(tier):
    detailed = tier().launch_template().group(min_size=0, desired=0, max_size=1).policy()
    basic = tier(detailed=False).launch_template().group(min_size=0, desired=0, max_size=1).policy()
    assert {a["Period"] for a in detailed.alarms()} == {60}
    assert {a["Period"] for a in basic.alarms()} == {300}


def test_policies_are_per_group_with_their_own_arn(tier):
    a = tier().launch_template().group(min_size=0, desired=0, max_size=1)
    b = tier().launch_template().group(min_size=0, desired=0, max_size=1)
    for web in (a, b):
        web.asg.put_scaling_policy(AutoScalingGroupName=web.name, PolicyName="cpu", PolicyType="TargetTrackingScaling",
                                   TargetTrackingConfiguration={"PredefinedMetricSpecification": {
                                       "PredefinedMetricType": "ASGAverageCPUUtilization"}, "TargetValue": 50.0})
    arns = [a.asg.describe_policies(AutoScalingGroupName=w.name)["ScalingPolicies"][0]["PolicyARN"] for w in (a, b)]
    assert len(set(arns)) == 2
    before = a.asg.describe_policies(AutoScalingGroupName=a.name)["ScalingPolicies"][0]
    a.asg.put_scaling_policy(AutoScalingGroupName=a.name, PolicyName="cpu", PolicyType="TargetTrackingScaling",
                             TargetTrackingConfiguration={"PredefinedMetricSpecification": {
                                 "PredefinedMetricType": "ASGAverageCPUUtilization"}, "TargetValue": 70.0})
    after = a.asg.describe_policies(AutoScalingGroupName=a.name)["ScalingPolicies"][0]
    assert after["PolicyARN"] == before["PolicyARN"] and after["Alarms"] == before["Alarms"]
    assert sorted(x["Threshold"] for x in a.alarms()) == [63.0, 70.0]


def test_group_sizes_are_validated_and_names_unique(tier):
    web = tier().launch_template().group(min_size=1, desired=1, max_size=2)
    with pytest.raises(ClientError) as err:
        web.asg.set_desired_capacity(AutoScalingGroupName=web.name, DesiredCapacity=3)
    assert "above max value 2" in err.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as err:
        web.group(min_size=1, desired=1, max_size=2)
    assert err.value.response["Error"]["Code"] == "AlreadyExists"
    web.asg.update_auto_scaling_group(AutoScalingGroupName=web.name, MinSize=2)
    assert web.describe()["DesiredCapacity"] == 2  # raised to the new minimum


def test_delete_group_with_instances_needs_force_delete(fresh, tier):
    fresh.set_delays({"instance_shutdown_s": 300})  # room to see "Delete in progress", on a busy machine
    web = tier(instance_type="t3.micro").launch_template().group(min_size=1, desired=1, max_size=1)
    with pytest.raises(ClientError) as err:
        web.asg.delete_auto_scaling_group(AutoScalingGroupName=web.name)
    assert err.value.response["Error"]["Code"] == "ResourceInUse"
    web.asg.delete_auto_scaling_group(AutoScalingGroupName=web.name, ForceDelete=True)
    assert web.describe()["Status"] == "Delete in progress"
    web.box.wait_for(lambda: web.describe() is None, 600, "the group to be gone")


def test_send_command_runs_only_on_the_instances_asked_for(fresh):
    ec2, ssm = fresh.client("ec2"), fresh.client("ssm")
    ids = [ec2.run_instances(ImageId=linux_image(ec2), MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]["InstanceId"]
           for _ in range(2)]
    fresh.wait_for(lambda: len(ssm.describe_instance_information(Filters=[{"Key": "InstanceIds", "Values": ids}])
                               ["InstanceInformationList"]) == 2, 600, "SSM online")
    command = ssm.send_command(InstanceIds=ids[:1], DocumentName="AWS-RunShellScript", Parameters={"commands": ["echo hi"]})["Command"]
    invocations = ssm.list_command_invocations(CommandId=command["CommandId"])["CommandInvocations"]
    assert [i["InstanceId"] for i in invocations] == ids[:1]
    ec2.create_tags(Resources=ids[1:], Tags=[{"Key": "role", "Value": "web"}])
    tagged = ssm.send_command(Targets=[{"Key": "tag:role", "Values": ["web"]}], DocumentName="AWS-RunShellScript",
                              Parameters={"commands": ["echo hi"]})["Command"]
    assert [i["InstanceId"] for i in ssm.list_command_invocations(CommandId=tagged["CommandId"])["CommandInvocations"]] == ids[1:]
    fresh.wait_for(lambda: ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=ids[0])["Status"] == "Success",
                   120, "Success")
    assert ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=ids[0])["StandardOutputContent"] == "hi\n"
    ec2.terminate_instances(InstanceIds=ids)
