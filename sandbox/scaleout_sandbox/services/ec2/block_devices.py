"""The block devices an instance gets, as AWS makes them (moto adds an unencrypted 8 GiB /dev/sda1
to every instance and ignores the image's devices)."""

from __future__ import annotations

import copy


def resolve_block_devices(ec2, image_id, template_mappings, request_mappings):
    """The block devices an instance gets: the image's, overridden by the template's, overridden by
    the request's, per device name; sizes default to the snapshot's, as on AWS.

    Returns None (leave moto alone) when the image is unknown to the sandbox."""
    image = ec2.amis.get(image_id) if image_id else None
    if image is None:
        return None
    sandbox_image = getattr(image, "sandbox_block_device_mappings", None) is not None
    merged: dict = {}
    for mapping in image.block_device_mappings or []:
        entry = copy.deepcopy(mapping)
        if not sandbox_image and entry.get("DeviceName") == image.root_device_name:
            # moto's stock AMIs say DeleteOnTermination=false; Amazon's public AMIs delete the root volume.
            entry.setdefault("Ebs", {})["DeleteOnTermination"] = True
        merged[entry["DeviceName"]] = entry
    for layer in (template_mappings, request_mappings):
        for mapping in layer or []:
            device = mapping.get("DeviceName")
            if not device:
                continue
            if mapping.get("NoDevice") is not None and mapping.get("NoDevice") != "false" and "Ebs" not in mapping:
                merged.pop(device, None)
                continue
            if "Ebs" not in mapping:
                continue  # instance store (VirtualName): nothing to create in the sandbox
            base = merged.get(device, {"DeviceName": device, "Ebs": {}})
            ebs = dict(base.get("Ebs") or {})
            ebs.update({k: v for k, v in (mapping.get("Ebs") or {}).items() if v is not None})
            merged[device] = {"DeviceName": device, "Ebs": ebs}
    result = []
    for device, mapping in merged.items():
        ebs = mapping.get("Ebs") or {}
        snapshot_id = ebs.get("SnapshotId")
        snapshot = ec2.snapshots.get(snapshot_id) if snapshot_id else None
        if ebs.get("VolumeSize") is None and snapshot is not None:
            ebs["VolumeSize"] = snapshot.volume.size
        if snapshot is not None and snapshot.encrypted:
            ebs["Encrypted"] = True
        if ebs.get("Encrypted") is None and ec2.ebs_encryption_by_default:
            ebs["Encrypted"] = True
        if snapshot_id and snapshot is None:
            ebs.pop("SnapshotId")  # moto's stock AMIs reference snapshots it did not keep
        for key in ("Encrypted", "DeleteOnTermination"):
            if isinstance(ebs.get(key), str):
                ebs[key] = ebs[key].lower() == "true"
        if isinstance(ebs.get("VolumeSize"), str):
            ebs["VolumeSize"] = int(ebs["VolumeSize"])
        ebs.setdefault("VolumeType", "gp2")
        result.append({"DeviceName": device, "Ebs": ebs})
    return result
