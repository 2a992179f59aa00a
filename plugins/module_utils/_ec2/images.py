# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private: EC2 images and snapshots (the clients retry, see _aws_clients)."""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.scaleout.webtier.plugins.module_utils._aws_clients import paginate


class MalformedImageId(Exception):
    """An image id that is not ami- followed by hex digits; its argument is the ImageIds asked for."""


def describe_images(client, **params):
    """One DescribeImages call; an image id that does not exist gives no image rather than an error."""
    try:
        return client.describe_images(**params)["Images"]
    except is_boto3_error_code("InvalidAMIID.Malformed") as e:
        raise MalformedImageId(params.get("ImageIds")) from e
    except is_boto3_error_code("InvalidAMIID.NotFound"):  # pylint: disable=duplicate-except
        return []


def images_by_id(client, image_ids):
    """The images among image_ids (a filter, not ImageIds: one that does not exist is absent, paginated)."""
    return paginate(client, "describe_images", Filters=[{"Name": "image-id", "Values": image_ids}])["Images"]


def own_snapshots(client, filters):
    return paginate(client, "describe_snapshots", OwnerIds=["self"], Filters=filters)["Snapshots"]


def deregister_image(client, image_id):
    """DeregisterImage; an image already gone counts as deregistered."""
    try:
        client.deregister_image(ImageId=image_id)
    except is_boto3_error_code(("InvalidAMIID.NotFound", "InvalidAMIID.Unavailable")):
        pass


def delete_snapshot(client, snapshot_id):
    """DeleteSnapshot: None when deleted (or already gone), else AWS's message while the snapshot is
    still in use (InvalidSnapshot.InUse, which AWS answers for a while after DeregisterImage)."""
    try:
        client.delete_snapshot(SnapshotId=snapshot_id)
    except is_boto3_error_code("InvalidSnapshot.NotFound"):
        return None
    except is_boto3_error_code("InvalidSnapshot.InUse") as e:  # pylint: disable=duplicate-except
        return e.response["Error"]["Message"]
    return None


def snapshot_ids_of(image):
    """The EBS snapshots of an image's block device mappings (pure)."""
    return [m["Ebs"]["SnapshotId"] for m in image.get("BlockDeviceMappings", []) if m.get("Ebs", {}).get("SnapshotId")]
