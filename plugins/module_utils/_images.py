# -*- coding: utf-8 -*-
# Copyright: Contributors to the scaleout.webtier project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers about AMIs: pick the newest image, summarise an image for the roles."""

# The source image when none is named: the latest Amazon Linux 2023 of the architecture.
DEFAULT_SSM = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-%s"


def newest_image(images):
    """The most recently created image (CreationDate is ISO 8601, so text order is time order)."""
    available = [i for i in images if i.get("State", "available") == "available"]
    if not available:
        return None
    return sorted(available, key=lambda i: (i.get("CreationDate", ""), i.get("ImageId", "")))[-1]


def image_summary(image, source):
    """What the roles need to know about an image, snake_cased: root device, its size, architecture."""
    root_name = image.get("RootDeviceName")
    root_size = None
    root_encrypted = None
    for mapping in image.get("BlockDeviceMappings", []):
        if mapping.get("DeviceName") == root_name and "Ebs" in mapping:
            root_size = mapping["Ebs"].get("VolumeSize")
            root_encrypted = mapping["Ebs"].get("Encrypted")
    return {
        "image_id": image["ImageId"],
        "name": image.get("Name", ""),
        "architecture": image.get("Architecture", ""),
        "creation_date": image.get("CreationDate", ""),
        "root_device_name": root_name,
        "root_volume_size": root_size,
        "root_encrypted": root_encrypted,
        "state": image.get("State", ""),
        "tags": dict((t["Key"], t["Value"]) for t in image.get("Tags", [])),
        "source": source,
    }
