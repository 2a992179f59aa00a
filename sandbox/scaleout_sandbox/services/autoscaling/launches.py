"""How a group launches instances: into the zone with the fewest of its instances (ties: the order
of VPCZoneIdentifier) and the least used subnet there; a zone where the launch fails (type not
offered, no capacity) gets a Failed activity and is skipped for ``zone_retry_s``."""

from __future__ import annotations

import copy
from typing import Optional

from ...core.timestamps import at
from . import launch_faults
from .activities import SimActivity, instance_details


class LaunchRefused(Exception):
    """A launch fault (launch_faults.py): the StatusMessage AWS would give."""


def launch(engine, group, gs, count: int, start_n: int, now: float, prefix: Optional[str],
           reason: Optional[str] = None, template: Optional[dict] = None) -> int:
    """Launch `count` instances (from `template`, else the group's); returns how many started."""
    from moto.autoscaling.models import InstanceState as AsgInstanceState
    from moto.core.exceptions import ServiceException

    target_n = start_n + count
    zones = _zones(group)
    launched = 0
    for _ in range(count):
        tried: set = set()
        while True:
            choice = _choose_zone(engine, group, gs, zones, tried, now)
            if choice is None:
                return launched
            zone, subnets = choice
            tried.add(zone)
            subnet_id = _choose_subnet(engine, group, subnets)
            sentence = reason or (f"At {at(now)} an instance was started in response to a difference between desired "
                                  f"and actual capacity, increasing the capacity from {start_n} to {target_n}.")
            cause = f"{prefix}  {sentence}" if prefix else sentence
            refused = launch_faults.refusal(engine, group, len(engine.groups.live_states(group)))
            try:
                if refused:
                    raise LaunchRefused(refused)
                instance = _run_one(engine, group, zone, subnet_id, template)
            except (ServiceException, LaunchRefused) as err:
                message = str(err) if isinstance(err, LaunchRefused) else f"{err.message} Launching EC2 instance failed."
                activity = SimActivity(group, f"Launching a new EC2 instance.  Status Reason: {message}", cause, now,
                                       "Failed", 100, {"Subnet ID": subnet_id, "Availability Zone": zone})
                gs.activities.append(activity)
                activity.finish(now, "Failed", message)
                gs.zone_backoff[zone] = now + engine.delays.zone_retry_s
                continue
            instance.autoscaling_group = group
            state = AsgInstanceState(instance, lifecycle_state="Pending",
                                     protected_from_scale_in=group.new_instances_protected_from_scale_in,
                                     autoscaling_group=group)
            group.instance_states.append(state)
            activity = SimActivity(group, f"Launching a new EC2 instance: {instance.id}", cause, now, "PreInService", 30,
                                   instance_details(instance))
            gs.activities.append(activity)
            gs.launching[instance.id] = activity
            launched += 1
            break
    return launched


def _zones(group) -> list:
    """[(zone, [subnet ids])] in the group's order."""
    ec2 = group.ec2_backend
    zones: dict = {}
    if group.vpc_zone_identifier:
        for subnet_id in [s.strip() for s in group.vpc_zone_identifier.split(",") if s.strip()]:
            subnet = ec2.get_subnet(subnet_id)
            zones.setdefault(subnet.availability_zone, []).append(subnet_id)
    else:
        for zone in group.availability_zones:
            zones.setdefault(zone, [])
    return list(zones.items())


def _choose_zone(engine, group, gs, zones: list, tried: set, now: float):
    counts: dict = {}
    for state in engine.groups.live_states(group):
        zone = state.instance.placement.zone
        counts[zone] = counts.get(zone, 0) + 1
    candidates = [(zone, subnets) for zone, subnets in zones
                  if zone not in tried and gs.zone_backoff.get(zone, 0) <= now]
    if not candidates:
        return None
    order = {zone: index for index, (zone, _) in enumerate(zones)}
    return min(candidates, key=lambda item: (counts.get(item[0], 0), order[item[0]]))


def _choose_subnet(engine, group, subnets: list) -> Optional[str]:
    if not subnets:
        return None
    counts = {s: 0 for s in subnets}
    for state in engine.groups.live_states(group):
        if state.instance.subnet_id in counts:
            counts[state.instance.subnet_id] += 1
    return min(subnets, key=lambda s: (counts[s], subnets.index(s)))


def _run_one(engine, group, zone: str, subnet_id: Optional[str], template_override: Optional[dict] = None):
    """RunInstances for one instance of the group, from its launch template (or configuration)."""
    ec2 = group.ec2_backend
    tags = group.get_propagated_tags()
    tags["aws:autoscaling:groupName"] = group.name
    kwargs = dict(instance_type=None, is_instance_type_default=False, placement=zone, region_name=group.region,
                  tags={"instance": tags}, associate_public_ip=None)
    lt = group.ec2_launch_template
    version_spec = group.launch_template_version
    if template_override:
        lt_id = template_override.get("LaunchTemplateId")
        lt_name = template_override.get("LaunchTemplateName")
        lt = ec2.get_launch_template(lt_id) if lt_id else ec2.get_launch_template_by_name(lt_name)
        version_spec = template_override.get("Version") or "$Default"
    if lt is not None:
        version = lt.get_version(version_spec)
        data = version.data
        image_id = version.image_id
        kwargs["instance_type"] = version.instance_type or "m1.small"
        user_data = version.user_data
        kwargs["launch_template"] = {"LaunchTemplateId": lt.id, "Version": str(version.number)}
        nics = copy.deepcopy(data.get("NetworkInterfaces") or [])
        if nics:
            primary = next((n for n in nics if int(n.get("DeviceIndex", 0)) == 0), None)
            if primary is not None and subnet_id:
                primary["SubnetId"] = subnet_id
            kwargs["nics"] = nics
            if not primary or "SubnetId" not in primary:
                kwargs["subnet_id"] = subnet_id
        else:
            kwargs["subnet_id"] = subnet_id
        security_groups = list(data.get("SecurityGroups") or [])
        version_number = str(version.number)
    else:
        lc = group.launch_config
        image_id = lc.image_id
        kwargs["instance_type"] = lc.instance_type
        user_data = lc.user_data
        kwargs["subnet_id"] = subnet_id
        kwargs["launch_config"] = lc
        kwargs["associate_public_ip"] = lc.associate_public_ip_address
        if lc.block_device_mapping_dict:
            kwargs["block_device_mappings"] = lc.block_device_mapping_dict
        if lc.instance_monitoring_enabled:
            kwargs["monitoring_state"] = "enabled"
        if lc.metadata_options:
            kwargs["metadata_options"] = lc.metadata_options
        security_groups = list(lc.security_groups)
        version_number = None
    if not kwargs.get("subnet_id"):
        kwargs.pop("subnet_id", None)
    reservation = ec2.run_instances(image_id, 1, user_data, security_groups, **kwargs)
    instance = reservation.instances[0]
    engine.instances.sim_for(instance).version = version_number
    return instance
