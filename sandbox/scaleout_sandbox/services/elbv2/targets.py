"""Target groups as Auto Scaling uses them: registering a group's instances, deregistering them
(with connection draining), and their health."""

from __future__ import annotations

from ...core.backends import ec2_backend, elbv2_backend


def target_health(account, region, tg, instance_id) -> str:
    return tg.health_for({"Id": instance_id}, ec2_backend(account, region)).status


def register(group, instance_ids: list) -> None:
    if not group.target_group_arns or not instance_ids:
        return
    elbv2 = elbv2_backend(group.account_id, group.region)
    for arn in group.target_group_arns:
        tg = elbv2.target_groups.get(arn)
        if tg is None:
            continue
        targets = [{"Id": i, "Port": tg.port} for i in instance_ids if i not in tg.targets]
        if targets:
            tg.register(targets)


def deregister(group, instance_id: str) -> float:
    """Deregister; returns the connection-draining time (deregistration delay) to wait."""
    drain = 0.0
    elbv2 = elbv2_backend(group.account_id, group.region)
    for arn in group.target_group_arns:
        tg = elbv2.target_groups.get(arn)
        if tg is None or instance_id not in tg.targets:
            continue
        tg.deregister([{"Id": instance_id}])
        drain = max(drain, float(tg.attributes.get("deregistration_delay.timeout_seconds", 300)))
    return drain


def any_unhealthy(group, instance_id: str) -> bool:
    """A target group of the group that has the instance reports it unhealthy."""
    if not group.target_group_arns:
        return False
    elbv2 = elbv2_backend(group.account_id, group.region)
    for arn in group.target_group_arns:
        tg = elbv2.target_groups.get(arn)
        if tg is not None and instance_id in tg.targets:
            if target_health(group.account_id, group.region, tg, instance_id) == "unhealthy":
                return True
    return False


def all_healthy(group, instance_id: str) -> bool:
    """Every target group of the group reports the instance healthy."""
    elbv2 = elbv2_backend(group.account_id, group.region)
    for arn in group.target_group_arns:
        tg = elbv2.target_groups.get(arn)
        if tg is not None and target_health(group.account_id, group.region, tg, instance_id) != "healthy":
            return False
    return True
