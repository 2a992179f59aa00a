"""RunInstances, TerminateInstances, StopInstances, StartInstances and DescribeInstanceTypeOfferings:
launch template settings applied, zones that do not offer the type (or have no capacity, fault
hooks) refused, block devices as AWS makes them, and every state change handed to the lifecycle
simulation (instances.py)."""

from __future__ import annotations

import base64
import copy
from typing import Optional

from ...core.registry import patch
from .block_devices import resolve_block_devices
from .credits import default_mode

M = "moto.ec2.models.instances"


def zone_of(ec2, kwargs) -> Optional[str]:
    """The zone a RunInstances call launches into (its subnet's, or its placement)."""
    subnet_id = kwargs.get("subnet_id")
    if not subnet_id:
        for nic in kwargs.get("nics") or []:
            if int(nic.get("DeviceIndex", 0)) == 0 and nic.get("SubnetId"):
                subnet_id = nic["SubnetId"]
    if subnet_id:
        return ec2.get_subnet(subnet_id).availability_zone
    return kwargs.get("placement")


def offered_zones(ec2, instance_type: str) -> list:
    offers = ec2.describe_instance_type_offerings("availability-zone", {"instance-type": [instance_type]})
    return sorted({o["Location"] for o in offers})


def _refuse_unavailable_zone(engine, ec2, zone: str, instance_type: str) -> None:
    from moto.ec2.exceptions import EC2ClientError

    zones = offered_zones(ec2, instance_type)
    all_zones = sorted(z.name for z in ec2.describe_availability_zones())
    if zones and zone not in zones or (not zones and engine.faults.unoffered(zone, instance_type)):
        others = ", ".join(z for z in zones if z != zone)
        raise EC2ClientError(
            "Unsupported",
            f"Your requested instance type ({instance_type}) is not supported in your requested Availability Zone "
            f"({zone}). Please retry your request by not specifying an Availability Zone or choosing {others}.")
    if engine.faults.insufficient_capacity(zone, instance_type):
        others = ", ".join(z for z in (zones or all_zones) if z != zone and not engine.faults.insufficient_capacity(z, instance_type))
        raise EC2ClientError(
            "InsufficientInstanceCapacity",
            f"We currently do not have sufficient {instance_type} capacity in the Availability Zone you requested "
            f"({zone}). Our system will be working on provisioning additional capacity. You can currently get "
            f"{instance_type} capacity by not specifying an Availability Zone in your request or choosing {others}.")


def _apply_template_settings(kwargs: dict, template_data: dict) -> None:
    """Metadata options, monitoring and volume tags of the launch template (moto ignores them)."""
    if not kwargs.get("metadata_options") and template_data.get("MetadataOptions"):
        kwargs["metadata_options"] = template_data["MetadataOptions"]
    if kwargs.get("monitoring_state", "disabled") == "disabled" and \
            str((template_data.get("Monitoring") or {}).get("Enabled")).lower() == "true":
        kwargs["monitoring_state"] = "enabled"
    if template_data.get("TagSpecifications"):
        from moto.ec2.utils import convert_tag_spec

        template_tags = convert_tag_spec(template_data["TagSpecifications"])
        tags = copy.deepcopy(kwargs.get("tags") or {})
        for resource_type in ("volume",):
            if template_tags.get(resource_type):
                merged = dict(template_tags[resource_type])
                merged.update(tags.get(resource_type, {}))
                tags[resource_type] = merged
        kwargs["tags"] = tags


def _decoded(user_data) -> Optional[str]:
    if not user_data:
        return None
    try:
        return base64.b64decode(str(user_data)).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001
        return str(user_data)


@patch(M, "InstanceBackend", "run_instances")
def run_instances(engine, original):
    def run_instances(self, image_id, count, user_data, security_group_names, **kwargs):
        # ClientToken (EC2 API Reference, "Ensuring idempotency in Amazon EC2 API requests"): a repeated
        # request with the same token answers the first one's reservation instead of launching again;
        # with the same token but other parameters, IdempotentParameterMismatch. moto launched again.
        # "ABCDE" is moto's stand-in when the request has no token.
        token = kwargs.get("client_token")
        token = None if token in (None, "", "ABCDE") else token
        tokens = self.__dict__.setdefault("sandbox_client_tokens", {})
        # The parameters compared (the guide excepts the Region and the Availability Zone).
        request = (image_id, int(count), kwargs.get("instance_type"))
        if token is not None and token in tokens:
            reservation, first_request = tokens[token]
            if first_request != request:
                from moto.ec2.exceptions import EC2ClientError

                raise EC2ClientError("IdempotentParameterMismatch",
                                     f"Client token {token} was already used with different parameters.")
            return reservation
        reservation = _run_instances(engine, original, self, image_id, count, user_data, security_group_names, **kwargs)
        if token is not None:
            tokens[token] = (reservation, request)
        return reservation

    return run_instances


def _run_instances(engine, original, self, image_id, count, user_data, security_group_names, **kwargs):
    """RunInstances as the sandbox models it (template settings, profile propagation, zones, volumes)."""
    template_data = {}
    if kwargs.get("launch_template"):
        template_data = self._get_template_from_args(kwargs["launch_template"]).data
        if not image_id:
            image_id = template_data.get("ImageId")
        if kwargs.get("is_instance_type_default") and template_data.get("InstanceType"):
            kwargs["instance_type"] = template_data["InstanceType"]
            kwargs["is_instance_type_default"] = False
        if user_data is None and template_data.get("UserData"):
            user_data = template_data.get("UserData")
    profile = template_data.get("IamInstanceProfile") or {}
    refusal = engine.propagation.refusal(self.account_id, kwargs.get("iam_instance_profile_name") or profile.get("Name"),
                                         kwargs.get("iam_instance_profile_arn") or profile.get("Arn"))
    if refusal:
        from moto.ec2.exceptions import EC2ClientError

        raise EC2ClientError("InvalidParameterValue", refusal)
    instance_type = kwargs.get("instance_type") or "m1.small"
    zone = zone_of(self, kwargs)
    if zone:
        _refuse_unavailable_zone(engine, self, zone, instance_type)
    _apply_template_settings(kwargs, template_data)
    mappings = resolve_block_devices(self, image_id, template_data.get("BlockDeviceMappings"),
                                     kwargs.get("block_device_mappings") if "block_device_mappings" in kwargs else None)
    if mappings is not None:
        kwargs["block_device_mappings"] = mappings
        kwargs.pop("launch_config", None)
    existing_interfaces = set(self.enis)
    kept = {int(n.get("DeviceIndex", 0)) for n in kwargs.get("nics") or [] if str(n.get("DeleteOnTermination")).lower() == "false"}
    reservation = original(self, image_id, count, user_data, security_group_names, **kwargs)
    profile = template_data.get("IamInstanceProfile") or {}
    text = _decoded(user_data)
    for instance in reservation.instances:
        if profile and not self.iam_instance_profile_associations.get(instance.id):
            try:
                self.associate_iam_instance_profile(instance_id=instance.id,
                                                    iam_instance_profile_name=profile.get("Name"),
                                                    iam_instance_profile_arn=profile.get("Arn"))
            except Exception:  # noqa: BLE001 - an unknown profile is the caller's problem on AWS too
                pass
        sim = engine.instances.register(instance, self.account_id, self.region_name, text)
        engine.consistency.created(instance.id)  # describes see it a while later (consistency.py)
        credits = (template_data.get("CreditSpecification") or {}).get("CpuCredits")
        mode = default_mode(instance.instance_type, engine.delays.t3_standard_by_default)
        engine.credits.start(sim, instance.instance_type, (credits or mode) if mode else None)
        # An interface the launch created goes with the instance at "terminated" (AWS's default
        # DeleteOnTermination for those); moto keeps it, and with it its security groups in use.
        for index, interface in instance.nics.items():
            if interface.id not in existing_interfaces and int(index) not in kept:
                interface.sandbox_delete_on_termination = True
    return reservation


@patch(M, "InstanceBackend", "terminate_instances")
def terminate_instances(engine, original):
    def terminate_instances(self, instance_ids):
        before = {i.id: i.state for i in self.get_multi_instances_by_id(instance_ids)} if instance_ids else {}
        result = original(self, instance_ids)
        for instance, _previous in result:
            if before.get(instance.id) not in ("terminated",):
                engine.instances.stopping(instance, terminating=True)
        return result

    return terminate_instances


@patch(M, "InstanceBackend", "stop_instances")
def stop_instances(engine, original):
    def stop_instances(self, instance_ids):
        result = original(self, instance_ids)
        for instance, _previous in result:
            engine.instances.stopping(instance, terminating=False)
        return result

    return stop_instances


@patch(M, "InstanceBackend", "start_instances")
def start_instances(engine, original):
    def start_instances(self, instance_ids):
        result = original(self, instance_ids)
        for instance, previous in result:
            if previous.name != "running":
                engine.instances.starting(instance)
        return result

    return start_instances


@patch("moto.ec2.models.instance_types", "InstanceTypeOfferingBackend", "describe_instance_type_offerings")
def describe_instance_type_offerings(engine, original):
    """Zones the fault hooks say do not offer a type are left out."""

    def describe_instance_type_offerings(self, location_type=None, filters=None):
        offers = original(self, location_type, filters)
        location_type = location_type or "region"
        if location_type == "region":
            return offers
        zone_of_id = {}
        if location_type == "availability-zone-id":
            zone_of_id = {z.zone_id: z.name for z in self.describe_availability_zones()}
        return [o for o in offers
                if not engine.faults.unoffered(zone_of_id.get(o["Location"], o["Location"]), o["InstanceType"])]

    return describe_instance_type_offerings
