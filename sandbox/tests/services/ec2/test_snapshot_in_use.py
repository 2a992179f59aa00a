"""DeleteSnapshot answers InvalidSnapshot.InUse for snapshot_in_use_s (simulated) after the image
that used the snapshot was deregistered, as AWS does; then it succeeds."""

import botocore.exceptions
import pytest

from sandbox_harness import run_instance, unique


def test_a_snapshot_is_in_use_for_a_while_after_its_image_is_deregistered(fresh):
    fresh.set_delays({"snapshot_in_use_s": 120, "image_pending_s": 10})
    ec2 = fresh.client("ec2")
    instance = run_instance(fresh)["InstanceId"]
    image = ec2.create_image(InstanceId=instance, Name=unique("inuse"))["ImageId"]
    fresh.wait_for(lambda: ec2.describe_images(ImageIds=[image])["Images"][0]["State"] == "available", 300, "image available")
    snapshots = [m["Ebs"]["SnapshotId"] for m in ec2.describe_images(ImageIds=[image])["Images"][0]["BlockDeviceMappings"] if "Ebs" in m]
    assert snapshots
    ec2.deregister_image(ImageId=image)
    deregistered_at = fresh.sim_now()
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        ec2.delete_snapshot(SnapshotId=snapshots[0])
    assert refused.value.response["Error"]["Code"] == "InvalidSnapshot.InUse"
    assert f"The snapshot {snapshots[0]} is currently in use by {image}" == refused.value.response["Error"]["Message"]
    fresh.wait_for(lambda: fresh.sim_now() - deregistered_at > 120, 300, "the window to pass")
    for snapshot in snapshots:
        ec2.delete_snapshot(SnapshotId=snapshot)
    ec2.terminate_instances(InstanceIds=[instance])
