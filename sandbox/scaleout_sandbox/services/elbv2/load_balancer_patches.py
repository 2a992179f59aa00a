"""CreateLoadBalancer: ``provisioning`` for ``lb_provisioning_s``, then ``active`` (moto: active at once)."""

from __future__ import annotations

from ...core.registry import patch

M = "moto.elbv2.models"


@patch(M, "FakeLoadBalancer", "activate")
def activate(engine, _original):
    def activate(self):
        if self.state == "provisioning" and engine.now() >= (getattr(self, "sandbox_active_at", 0) or 0):
            self.state = "active"

    return activate


@patch(M, "ELBv2Backend", "create_load_balancer")
def create_load_balancer(engine, original):
    def create_load_balancer(self, *args, **kwargs):
        balancer = original(self, *args, **kwargs)
        balancer.sandbox_active_at = engine.now() + engine.delays.lb_provisioning_s
        return balancer

    return create_load_balancer
