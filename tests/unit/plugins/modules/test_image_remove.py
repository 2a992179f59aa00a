"""scaleout.webtier.image_remove against stubbed clients: a snapshot AWS still holds in use after
DeregisterImage is tried again until it goes, and the wait fails quoting AWS at its timeout; check
mode and images already gone write nothing."""

from module_harness import aws, clock, fake_poller, run  # noqa: F401  # pylint: disable=unused-import

from ansible_collections.scaleout.webtier.plugins.modules import image_remove

IMAGE = "ami-0123456789abcdef0"
SNAP = "snap-0123456789abcdef0"
IN_USE = "The snapshot %s is currently in use by %s" % (SNAP, IMAGE)


def found(ec2, images=True):
    image = {"ImageId": IMAGE, "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": SNAP}},
                                                       {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}]}
    ec2.add_response("describe_images", {"Images": [image] if images else []}, {"Filters": [{"Name": "image-id", "Values": [IMAGE]}]})


def test_a_snapshot_in_use_after_deregistering_is_deleted_once_aws_lets_it_go(aws, run, fake_poller, clock):
    fake_poller(image_remove)
    ec2 = aws["ec2"]
    found(ec2)
    ec2.add_response("deregister_image", {}, {"ImageId": IMAGE})
    ec2.add_client_error("delete_snapshot", "InvalidSnapshot.InUse", IN_USE, 400, expected_params={"SnapshotId": SNAP})
    ec2.add_client_error("delete_snapshot", "InvalidSnapshot.InUse", IN_USE, 400, expected_params={"SnapshotId": SNAP})
    ec2.add_response("delete_snapshot", {}, {"SnapshotId": SNAP})
    failed, result = run(image_remove, dict(image_ids=[IMAGE], poll_interval=5))
    aws.done()
    assert not failed and result["changed"], result
    assert result["image_ids"] == [IMAGE] and result["snapshot_ids"] == [SNAP]
    assert result["wait"]["polls"] == 3 and result["wait"]["elapsed"] == 10.0


def test_a_snapshot_still_in_use_at_the_timeout_fails_quoting_aws(aws, run, fake_poller, clock):
    fake_poller(image_remove)
    ec2 = aws["ec2"]
    found(ec2)
    ec2.add_response("deregister_image", {}, {"ImageId": IMAGE})
    for _poll in range(3):  # at 0, 5 and 10 s: the last try is at the deadline
        ec2.add_client_error("delete_snapshot", "InvalidSnapshot.InUse", IN_USE, 400, expected_params={"SnapshotId": SNAP})
    failed, result = run(image_remove, dict(image_ids=[IMAGE], timeout=10, poll_interval=5))
    aws.done()
    assert failed and result["msg"] == "snapshots still in use after 10s: " + IN_USE
    assert result["snapshot_ids_left"] == [SNAP]


def test_check_mode_and_images_already_gone_write_nothing(aws, run):
    ec2 = aws["ec2"]
    found(ec2)
    failed, result = run(image_remove, dict(image_ids=[IMAGE]), check_mode=True)
    assert not failed and result["changed"] and result["msg"] == "would have deregistered 1 image(s) and deleted 1 snapshot(s)"
    found(ec2, images=False)
    failed, result = run(image_remove, dict(image_ids=[IMAGE]))
    aws.done()
    assert not failed and not result["changed"]
