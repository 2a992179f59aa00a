"""CreateLoadBalancer: ``provisioning`` for ``lb_provisioning_s``, then ``active`` (moto: active at once), with its
network interfaces (interfaces.py), which outlive DeleteLoadBalancer; target groups briefly in use after their
listener goes.

CreateLoadBalancer is idempotent (ELBv2 API Reference, CreateLoadBalancer: "This operation is idempotent,
which means that it completes at most one time. If you attempt to create multiple load balancers with the
same settings, each call succeeds."): the same name with the same settings answers the existing load
balancer, the same name with other settings DuplicateLoadBalancerName. moto made a second one."""

from __future__ import annotations

from ...core.registry import patch

M = "moto.elbv2.models"


@patch(M, "FakeLoadBalancer", "activate")
def activate(engine, _original):
    def activate(self):
        if self.state == "provisioning" and engine.now() >= (getattr(self, "sandbox_active_at", 0) or 0):
            self.state = "active"

    return activate


def _same_load_balancer(balancer, security_groups, subnet_ids, subnet_mappings, scheme, loadbalancer_type) -> bool:
    subnets = set(subnet_ids or []) | {m.get("SubnetId") for m in subnet_mappings or []}
    return ((balancer.scheme or "internet-facing") == (scheme or "internet-facing")
            and (balancer.type or "application") == (loadbalancer_type or "application")
            and {getattr(s, "id", s) for s in balancer.subnets} == subnets
            # Without security groups in the request, AWS gives the VPC's default one: no difference.
            and (not security_groups or set(balancer.security_groups or []) == set(security_groups)))


@patch(M, "ELBv2Backend", "create_load_balancer")
def create_load_balancer(engine, original):
    from moto.elbv2.exceptions import DuplicateLoadBalancerName

    def create_load_balancer(self, name, security_groups, subnet_ids, subnet_mappings=None, scheme="internet-facing",
                             loadbalancer_type=None, *args, **kwargs):
        for existing in list(self.load_balancers.values()):
            if existing.name == name:
                if _same_load_balancer(existing, security_groups, subnet_ids, subnet_mappings, scheme, loadbalancer_type):
                    return existing
                raise DuplicateLoadBalancerName()
        balancer = original(self, name, security_groups, subnet_ids, subnet_mappings, scheme, loadbalancer_type,
                            *args, **kwargs)
        balancer.sandbox_active_at = engine.now() + engine.delays.lb_provisioning_s
        engine.load_balancer_interfaces.created(self, balancer)
        return balancer

    return create_load_balancer


# AWS answers DeleteTargetGroup with ResourceInUse for a short while after the listener (or the
# load balancer) that forwarded to it is deleted (docs/sandbox.md, knob target_group_in_use_s).
# moto frees it at once.
def _release_target_groups(engine, backend, listeners) -> None:
    until = engine.now() + engine.delays.target_group_in_use_s
    for listener in listeners:
        for rule in listener.rules.values():
            for action in rule.actions:
                for arn in backend._get_target_group_arns_from(action_data=action.data):
                    if arn in backend.target_groups:
                        backend.target_groups[arn].sandbox_in_use_until = until


@patch(M, "ELBv2Backend", "delete_load_balancer")
def delete_load_balancer(engine, original):
    def delete_load_balancer(self, arn):
        balancer = self.load_balancers.get(arn)
        if balancer is not None:
            _release_target_groups(engine, self, list(balancer.listeners.values()))
            engine.load_balancer_interfaces.deleted(self, balancer)
        return original(self, arn)

    return delete_load_balancer


@patch(M, "ELBv2Backend", "delete_listener")
def delete_listener(engine, original):
    def delete_listener(self, listener_arn):
        listener = original(self, listener_arn)
        _release_target_groups(engine, self, [listener])
        return listener

    return delete_listener


@patch(M, "ELBv2Backend", "delete_target_group")
def delete_target_group(engine, original):
    from moto.elbv2.exceptions import ResourceInUseError

    def delete_target_group(self, target_group_arn):
        target_group = self.target_groups.get(target_group_arn)
        if target_group is not None and engine.now() < getattr(target_group, "sandbox_in_use_until", 0):
            raise ResourceInUseError(f"The target group '{target_group_arn}' is currently in use by a listener or a rule")
        return original(self, target_group_arn)

    return delete_target_group
