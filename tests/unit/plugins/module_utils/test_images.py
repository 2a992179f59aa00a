from ansible_collections.scaleout.webtier.plugins.module_utils._images import image_summary, newest_image


def image(image_id, created, state="available"):
    return {"ImageId": image_id, "CreationDate": created, "State": state, "RootDeviceName": "/dev/xvda",
            "Architecture": "x86_64", "Name": "n-" + image_id,
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": True}},
                                    {"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 100}}],
            "Tags": [{"Key": "scaleout:stack", "Value": "demo"}]}


def test_newest_available_image_wins():
    images = [image("ami-old", "2026-01-01T00:00:00.000Z"), image("ami-new", "2026-06-01T00:00:00.000Z"),
              image("ami-pending", "2026-09-01T00:00:00.000Z", state="pending")]
    assert newest_image(images)["ImageId"] == "ami-new"
    assert newest_image([]) is None
    assert newest_image([image("ami-failed", "2026-01-01", state="failed")]) is None


def test_summary_reads_the_root_device_not_other_volumes():
    summary = image_summary(image("ami-1", "2026-01-01"), "image_id")
    assert summary["root_volume_size"] == 8
    assert summary["root_encrypted"] is True
    assert summary["root_device_name"] == "/dev/xvda"
    assert summary["tags"] == {"scaleout:stack": "demo"}
    assert summary["source"] == "image_id"
