"""An Application Load Balancer's network interfaces: one per subnet, in the load balancer's
security groups, described ``ELB app/<name>/<id>``, and still there for ``lb_interfaces_linger_s``
after DeleteLoadBalancer (AWS releases them minutes later; until then their security groups cannot
be deleted: services/ec2/dependency_patches.py). moto creates none."""

from __future__ import annotations

from ...core.backends import ec2_backend


class LoadBalancerInterfaces:
    def __init__(self, engine):
        self.engine = engine
        self.lingering: dict[str, tuple] = {}  # interface id -> (ec2 backend, gone at)

    def created(self, elbv2, balancer) -> None:
        ec2 = ec2_backend(elbv2.account_id, elbv2.region_name)
        balancer_id = balancer.arn.rsplit("/", 1)[-1]
        balancer.sandbox_interfaces = []
        for subnet in balancer.subnets:
            interface = ec2.create_network_interface(subnet, None, group_ids=list(balancer.security_groups or []),
                                                     description=f"ELB app/{balancer.name}/{balancer_id}")
            balancer.sandbox_interfaces.append(interface.id)

    def deleted(self, elbv2, balancer) -> None:
        ec2 = ec2_backend(elbv2.account_id, elbv2.region_name)
        gone_at = self.engine.now() + self.engine.delays.lb_interfaces_linger_s
        for interface_id in getattr(balancer, "sandbox_interfaces", []):
            self.lingering[interface_id] = (ec2, gone_at)

    def step(self, now: float) -> None:
        for interface_id, (ec2, gone_at) in list(self.lingering.items()):
            if now >= gone_at:
                ec2.enis.pop(interface_id, None)
                del self.lingering[interface_id]

    def describe(self) -> dict:
        return {"lingering_load_balancer_interfaces": len(self.lingering)}
