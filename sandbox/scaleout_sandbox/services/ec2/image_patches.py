"""CreateImage: one snapshot per volume of the instance (size, type, encryption), snapshot tags,
the instance's root device name, and a pending -> available transition (images.py); the image's
block device mappings are those snapshots. Image names are unique per account and region (EC2 API
Reference, CreateImage: "Constraints: ... must be unique"; the error InvalidAMIName.Duplicate): a
repeated CreateImage, such as botocore's retry of one whose answer was lost, is refused. moto
made a second image."""

from __future__ import annotations

import copy

from ...core.registry import patch


@patch("moto.ec2.models.amis", "AmiBackend", "create_image")
def create_image(engine, original):
    from moto.ec2.exceptions import InvalidTaggableResourceType

    def create_image(self, instance_id, name, description, tag_specifications):
        from moto.ec2.exceptions import EC2ClientError

        for image in list(self.amis.values()):
            if image.name == name and image.owner_id == self.account_id and image.state != "deregistered":
                raise EC2ClientError("InvalidAMIName.Duplicate", f"AMI name {name} is already in use by AMI {image.id}")
        instance = self.get_instance(instance_id)
        image_specs, snapshot_tags = [], {}
        for spec in tag_specifications or []:
            resource_type = spec.get("ResourceType")
            if resource_type == "image":
                image_specs.append(spec)
            elif resource_type == "snapshot":
                snapshot_tags.update({t["Key"]: t["Value"] for t in spec.get("Tags", [])})
            else:
                raise InvalidTaggableResourceType(resource_type)
        ami = original(self, instance_id, name, description, image_specs)
        placeholder = getattr(ami, "ebs_snapshot", None)
        if placeholder is not None:
            self.snapshots.pop(placeholder.id, None)
        mappings, snapshots = [], []
        for device, block in instance.get_block_device_mapping:
            volume = self.get_volume(block.volume_id)
            snapshot = self.create_snapshot(volume.id, f"Created by CreateImage({instance_id}) for {ami.id}",
                                            from_ami=ami.id)
            snapshot.kms_key_id = volume.kms_key_id
            if snapshot_tags:
                snapshot.add_tags(snapshot_tags)
            snapshots.append(snapshot)
            ebs = {"DeleteOnTermination": bool(block.delete_on_termination), "SnapshotId": snapshot.id,
                   "VolumeSize": volume.size, "VolumeType": volume.volume_type, "Encrypted": bool(volume.encrypted)}
            if volume.iops:
                ebs["Iops"] = volume.iops
            if volume.throughput:
                ebs["Throughput"] = volume.throughput
            if volume.encrypted and volume.kms_key_id:
                ebs["KmsKeyId"] = volume.kms_key_id
            mappings.append({"DeviceName": device, "Ebs": ebs})
            if device == instance.root_device_name:
                ami.ebs_snapshot = snapshot
        ami.root_device_name = instance.root_device_name
        ami.root_device_type = "ebs"
        ami.sandbox_block_device_mappings = mappings
        if not mappings and placeholder is not None:
            self.snapshots[placeholder.id] = placeholder
        engine.images.created(self, ami, snapshots)
        engine.consistency.created(ami.id)  # describes see it a while later (consistency.py)
        return ami

    return create_image


@patch("moto.ec2.models.amis", "Ami", "block_device_mappings")
def ami_block_device_mappings(_engine, original):
    def block_device_mappings(self):
        mappings = getattr(self, "sandbox_block_device_mappings", None)
        if mappings is not None:
            return copy.deepcopy(mappings)
        return original.fget(self)

    return property(block_device_mappings)


# AWS keeps an image's snapshots "in use" for a short while after DeregisterImage: deleting one at
# once can answer InvalidSnapshot.InUse (docs/sandbox.md, knob snapshot_in_use_s). moto frees them
# at once.
@patch("moto.ec2.models.amis", "AmiBackend", "deregister_image")
def deregister_image(engine, original):
    def deregister_image(self, ami_id):
        ami = self.amis.get(ami_id)
        original(self, ami_id)
        if ami is not None:
            until = engine.now() + engine.delays.snapshot_in_use_s
            for snapshot in self.snapshots.values():
                if snapshot.from_ami == ami_id:
                    snapshot.sandbox_in_use_until = (until, ami_id)

    return deregister_image


@patch("moto.ec2.models.elastic_block_store", "EBSBackend", "delete_snapshot")
def delete_snapshot(engine, original):
    from moto.ec2.exceptions import InvalidSnapshotInUse

    def delete_snapshot(self, snapshot_id):
        snapshot = self.snapshots.get(snapshot_id)
        until, ami_id = getattr(snapshot, "sandbox_in_use_until", (0, None))
        if engine.now() < until:
            raise InvalidSnapshotInUse(snapshot_id, ami_id)
        return original(self, snapshot_id)

    return delete_snapshot
