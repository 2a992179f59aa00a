"""Target health as ELB reports it: ``initial`` (Elb.RegistrationInProgress) for HealthyThresholdCount
x HealthCheckIntervalSeconds after registration (counted from when the load balancer is active),
then ``healthy``; ``draining`` for the deregistration delay; ``unused`` without a load balancer;
``unhealthy`` for the never_healthy fault hook. moto reports every target healthy at once and keeps
terminated ones draining for ever."""

from __future__ import annotations

from ...core.registry import patch

M = "moto.elbv2.models"


@patch(M, "FakeTargetGroup", "register")
def register(engine, original):
    def register(self, targets):
        original(self, targets)
        now = engine.now()
        registered = self.__dict__.setdefault("sandbox_registered", {})
        draining = self.__dict__.setdefault("sandbox_draining", {})
        for target in targets:
            registered.setdefault(target["Id"], now)
            draining.pop(target["Id"], None)

    return register


def _start_draining(engine, tg, ids):
    now = engine.now()
    delay = float(tg.attributes.get("deregistration_delay.timeout_seconds", 300))
    draining = tg.__dict__.setdefault("sandbox_draining", {})
    registered = tg.__dict__.setdefault("sandbox_registered", {})
    for target_id, target in ids:
        draining[target_id] = (now + delay, target)
        registered.pop(target_id, None)


@patch(M, "FakeTargetGroup", "deregister")
def deregister(engine, original):
    def deregister(self, targets):
        present = [(t["Id"], self.targets.get(t["Id"])) for t in targets if t["Id"] in self.targets]
        original(self, targets)
        _start_draining(engine, self, present)

    return deregister


@patch(M, "FakeTargetGroup", "deregister_terminated_instances")
def deregister_terminated_instances(engine, _original):
    def deregister_terminated_instances(self, instance_ids):
        present = [(i, self.targets[i]) for i in instance_ids if i in self.targets]
        for target_id, _ in present:
            self.targets.pop(target_id, None)
        _start_draining(engine, self, present)

    return deregister_terminated_instances


@patch(M, "FakeTargetGroup", "health_for")
def health_for(engine, _original):
    from moto.elbv2 import models as e

    def health_for(self, target, ec2_backend):
        target_id = target["Id"]
        now = engine.now()
        port = target.get("Port") or self.port
        t = self.targets.get(target_id)
        hc_port = self.health_check_port
        if t is None:
            drain = self.__dict__.get("sandbox_draining", {}).get(target_id)
            if drain and now < drain[0]:
                return e.FakeHealthStatus(target_id, (drain[1] or {}).get("Port", port), hc_port, "draining",
                                          "Target.DeregistrationInProgress", "Target deregistration is in progress")
            return e.FakeHealthStatus(target_id, port, hc_port, "unused", "Target.NotRegistered",
                                      "Target is not registered to the target group")
        port = t.get("Port", port)
        instance = ec2_backend.get_instance_by_id(target_id) if target_id.startswith("i-") else None
        if instance is not None and instance.state != "running":
            return e.FakeHealthStatus(target_id, port, hc_port, "unused", "Target.InvalidState",
                                      f"Target is in the {instance.state} state")
        if not self.load_balancer_arns:
            return e.FakeHealthStatus(target_id, port, hc_port, "unused", "Target.NotInUse",
                                      "Target group is not configured to receive traffic from the load balancer")
        if not self.health_check_enabled:
            return e.FakeHealthStatus(target_id, port, hc_port, "unavailable", "Target.HealthCheckDisabled",
                                      "Health checks are disabled for the target group")
        registered_at = self.__dict__.get("sandbox_registered", {}).get(target_id, now - 86400)
        backend = e.elbv2_backends[self.account_id][self.region_name]
        active_at = max([getattr(backend.load_balancers.get(arn), "sandbox_active_at", 0) or 0
                         for arn in self.load_balancer_arns] or [0])
        elapsed = now - max(registered_at, active_at)
        interval = float(self.health_check_interval_seconds or 30)
        group = getattr(instance, "autoscaling_group", None) if instance is not None else None
        if engine.faults.never_healthy(target_id, getattr(group, "name", None)):
            if elapsed < float(self.unhealthy_threshold_count or 2) * interval:
                return e.FakeHealthStatus(target_id, port, hc_port, "initial", "Elb.RegistrationInProgress",
                                          "Target registration is in progress")
            return e.FakeHealthStatus(target_id, port, hc_port, "unhealthy", "Target.FailedHealthChecks",
                                      "Health checks failed")
        if elapsed < float(self.healthy_threshold_count or 5) * interval:
            return e.FakeHealthStatus(target_id, port, hc_port, "initial", "Elb.RegistrationInProgress",
                                      "Target registration is in progress")
        return e.FakeHealthStatus(target_id, port, hc_port, "healthy")

    return health_for


@patch(M, "ELBv2Backend", "describe_target_health")
def describe_target_health(engine, original):
    # Targets still draining are listed, as ELB does.
    def describe_target_health(self, target_group_arn, targets):
        result = original(self, target_group_arn, targets)
        if not targets:
            tg = self.target_groups[target_group_arn]
            now = engine.now()
            for target_id, (until, target) in list(tg.__dict__.get("sandbox_draining", {}).items()):
                if now < until and target_id not in tg.targets:
                    result.append(tg.health_for({"Id": target_id, "Port": (target or {}).get("Port")}, self.ec2_backend))
        return result

    return describe_target_health
