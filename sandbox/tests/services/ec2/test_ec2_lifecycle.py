"""EC2 through boto3 against a real sandbox server: instance lifecycle delays, the console, images
and their snapshots, and the launch template and block device gaps moto has."""

from sandbox_harness import linux_image, run_instance, sim_epoch, unique


def test_instance_is_pending_then_running_then_terminated(box):
    ec2 = box.client("ec2")
    instance = run_instance(box)
    assert instance["State"]["Name"] == "pending"
    iid = instance["InstanceId"]
    launched = sim_epoch(instance["LaunchTime"])

    def state():
        return ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["State"]["Name"]

    box.wait_for(lambda: state() == "running", 300, "running")
    assert box.sim_now() - launched >= 25  # about 30 simulated seconds
    assert ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]["CurrentState"]["Name"] == "shutting-down"
    box.wait_for(lambda: state() == "terminated", 300, "terminated")


def test_console_output_shows_user_data_echoes_after_boot(fresh):
    box = fresh
    box.set_delays({"instance_pending_s": 120})  # room to look before it runs, on a busy machine
    ec2 = box.client("ec2")
    script = "#!/bin/bash\necho scaleout-bake: step one\necho scaleout-bake: step two\nexit 3\necho not reached\n"
    iid = run_instance(box, UserData=script)["InstanceId"]
    early = ec2.get_console_output(InstanceId=iid)
    assert "Output" not in early  # nothing yet while pending, as on AWS

    def console():  # AWS sends base64; botocore decodes GetConsoleOutput's Output for its callers
        return ec2.get_console_output(InstanceId=iid).get("Output") or ""

    text = box.wait_for(lambda: "finished at" in (t := console()) and t, 600, "cloud-init to finish")
    assert text.index("scaleout-bake: step one") < text.index("scaleout-bake: step two")
    assert "Failed to run module scripts-user" in text and "not reached" not in text
    ec2.terminate_instances(InstanceIds=[iid])


def test_image_is_pending_then_available_with_tagged_encrypted_snapshots(box):
    ec2 = box.client("ec2")
    root = ec2.describe_images(ImageIds=[linux_image(ec2)])["Images"][0]["RootDeviceName"]
    instance = run_instance(box, BlockDeviceMappings=[{"DeviceName": root, "Ebs": {"Encrypted": True, "VolumeSize": 12}}])
    box.wait_for(lambda: ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]["State"]["Name"] == "running",
                 300, "running")
    name = unique("baked")
    image_id = ec2.create_image(InstanceId=instance["InstanceId"], Name=name, TagSpecifications=[
        {"ResourceType": "image", "Tags": [{"Key": "stack", "Value": "demo"}]},
        {"ResourceType": "snapshot", "Tags": [{"Key": "stack", "Value": "demo"}]}])["ImageId"]
    image = box.wait_for(lambda: ec2.describe_images(ImageIds=[image_id])["Images"], 60, "the image described")[0]
    assert image["State"] == "pending"
    assert len(image["BlockDeviceMappings"]) == 1  # one volume: no extra /dev/sda1 beside the image's root
    mapping = image["BlockDeviceMappings"][0]
    assert (mapping["DeviceName"], mapping["Ebs"]["VolumeSize"], mapping["Ebs"]["Encrypted"]) == (root, 12, True)
    assert image["RootDeviceName"] == root
    snapshot = ec2.describe_snapshots(SnapshotIds=[mapping["Ebs"]["SnapshotId"]])["Snapshots"][0]
    assert snapshot["Encrypted"] is True and {"Key": "stack", "Value": "demo"} in snapshot["Tags"]
    started = box.sim_now()
    box.wait_for(lambda: ec2.describe_images(ImageIds=[image_id])["Images"][0]["State"] == "available", 900, "image available")
    assert box.sim_now() - started >= 120  # about four simulated minutes
    waiter_ok = ec2.describe_snapshots(SnapshotIds=[snapshot["SnapshotId"]])["Snapshots"][0]["State"]
    assert waiter_ok == "completed"
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])


def instances_of(web):
    ids = [i["InstanceId"] for i in web.describe()["Instances"]]
    # A group's new instances are described a while after their launch (describe_after_create_s).
    return web.box.wait_for(lambda: [i for r in web.ec2.describe_instances(InstanceIds=ids)["Reservations"] for i in r["Instances"]],
                            600, "the group's instances described")


def test_launch_template_tags_do_not_leak_into_the_version_data(fresh):
    ec2 = fresh.client("ec2")
    name = unique("lt")
    ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": linux_image(ec2), "InstanceType": "t3.micro"},
                               TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "stack", "Value": "demo"}]}])
    data = ec2.describe_launch_template_versions(LaunchTemplateName=name)["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    assert "TagSpecifications" not in data
    template = fresh.wait_for(lambda: ec2.describe_launch_templates(LaunchTemplateNames=[name])["LaunchTemplates"], 600,
                              "the template described")[0]
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


def test_xen_console_is_posted_at_state_transitions_and_refuses_latest(fresh):
    """On a Xen type (t2.micro) the console is what was buffered at the latest state transition:
    the user data's lines appear only once the instance stops; Latest=true is Nitro-only."""
    import pytest
    from botocore.exceptions import ClientError

    ec2 = fresh.client("ec2")
    script = "#!/bin/bash\necho scaleout-bake: done\n"
    xen = run_instance(fresh, UserData=script, InstanceType="t2.micro")["InstanceId"]
    nitro = run_instance(fresh, UserData=script, InstanceType="t3.micro")["InstanceId"]
    fresh.sleep_sim(fresh.defaults["instance_boot_s"] + 60)
    assert "scaleout-bake: done" in ec2.get_console_output(InstanceId=nitro, Latest=True)["Output"]
    with pytest.raises(ClientError) as err:
        ec2.get_console_output(InstanceId=xen, Latest=True)
    assert err.value.response["Error"]["Code"] == "UnsupportedOperation"
    buffered = ec2.get_console_output(InstanceId=xen).get("Output") or ""
    assert "Linux version" in buffered and "scaleout-bake: done" not in buffered  # posted when it began running
    ec2.stop_instances(InstanceIds=[xen])
    assert "scaleout-bake: done" in ec2.get_console_output(InstanceId=xen)["Output"]  # posted at the stop
    ec2.terminate_instances(InstanceIds=[xen, nitro])
