"""CPU credits of burstable instances (T2, T3, T3a, T4g) in **standard** mode, per simulated minute.

An instance earns ``baseline x vCPUs`` credits a minute (one credit = one vCPU at 100 % for one
minute) and spends what it uses; the earned balance is capped at 24 hours of earnings. A T2 gets
30 launch credits per vCPU at launch or start (spent first, not capped); T3/T3a/T4g get none. Once
the balance is spent the instance runs at its baseline (``baseline`` percent of each vCPU). In
``unlimited`` mode nothing is held back. T2 launches standard by default, T3/T3a/T4g unlimited -
unless the account made standard their default (switch ``t3_standard_by_default``). The launch
template's ``CreditSpecification`` wins. ``CPUCreditBalance`` is published every five minutes per
instance (and under its group's ``AutoScalingGroupName``).

AWS: "Standard mode concepts for burstable instances" and "Key concepts and definitions for
burstable performance instances" (the baseline and earning table), EC2 User Guide.
"""

from __future__ import annotations

from typing import Optional

# Baseline utilization per vCPU, percent (EC2 User Guide, "CPU credits and baseline utilization").
BASELINE = {
    "t2.nano": 5, "t2.micro": 10, "t2.small": 20, "t2.medium": 20, "t2.large": 30, "t2.xlarge": 22.5, "t2.2xlarge": 17,
}
for _family in ("t3", "t3a", "t4g"):
    BASELINE.update({f"{_family}.nano": 5, f"{_family}.micro": 10, f"{_family}.small": 20, f"{_family}.medium": 20,
                     f"{_family}.large": 30, f"{_family}.xlarge": 40, f"{_family}.2xlarge": 40})
LAUNCH_CREDITS_PER_VCPU = 30  # T2 standard only


def default_mode(instance_type: str, t3_standard: bool) -> Optional[str]:
    if instance_type not in BASELINE:
        return None
    if instance_type.startswith("t2."):
        return "standard"
    return "standard" if t3_standard else "unlimited"


def launch_credits(instance_type: str, vcpus: int) -> float:
    return float(LAUNCH_CREDITS_PER_VCPU * vcpus) if instance_type.startswith("t2.") else 0.0


def spend_minute(balance: dict, demand_percent: float, vcpus: int, baseline: float) -> float:
    """Spend one minute at ``demand_percent`` (of all vCPUs) from ``balance`` ({launch, earned});
    returns the CPU percent the instance really got."""
    earn = baseline / 100.0 * vcpus
    cap = earn * 60 * 24
    demand = demand_percent / 100.0 * vcpus
    if demand <= earn:
        balance["earned"] = min(cap, balance["earned"] + earn - demand)
        return demand_percent
    need = demand - earn
    from_launch = min(need, balance["launch"])
    balance["launch"] -= from_launch
    need -= from_launch
    from_earned = min(need, balance["earned"])
    balance["earned"] -= from_earned
    need -= from_earned
    if need <= 1e-9:
        return demand_percent
    return round((demand - need) / vcpus * 100.0, 3)


class Credits:
    def __init__(self, engine):
        self.engine = engine
        self.balances: dict[str, dict] = {}  # instance id -> {launch, earned}
        self.actual: dict[tuple, float] = {}  # (instance id, minute start) -> CPU percent it really got

    def start(self, sim, instance_type: str, mode: Optional[str]) -> None:
        """At launch or start: the mode, and a T2's launch credits."""
        sim.credit_mode = mode
        sim.instance_type = instance_type
        if mode == "standard":
            old = self.balances.get(sim.instance_id, {"earned": 0.0})
            earned = 0.0 if instance_type.startswith("t2.") else old["earned"]  # T2 loses its credits when stopped
            self.balances[sim.instance_id] = {"launch": launch_credits(instance_type, sim.vcpus), "earned": earned}

    def balance(self, instance_id: str) -> Optional[float]:
        b = self.balances.get(instance_id)
        return None if b is None else round(b["launch"] + b["earned"], 3)

    def minute(self, boundary: float) -> None:
        """Spend the minute that ends at ``boundary`` for every running standard instance."""
        from moto.ec2.models import ec2_backends

        from ...core.backends import each_backend

        start = boundary - 60
        for _account, _region, ec2 in each_backend(ec2_backends):
            for instance in ec2.all_instances():
                sim = self.engine.instances.get(instance.id)
                if sim is None or getattr(sim, "credit_mode", None) != "standard" or sim.instance_id not in self.balances:
                    continue
                demand = self.engine.metrics.raw_cpu(instance, sim, start, boundary)
                if demand is None:
                    continue
                self.actual[(instance.id, start)] = spend_minute(self.balances[instance.id], demand, sim.vcpus,
                                                                  BASELINE[sim.instance_type])
        for key in [k for k in self.actual if k[1] < boundary - 86400]:
            del self.actual[key]

    def capped(self, instance_id: str, t0: float, t1: float, raw: Optional[float]) -> Optional[float]:
        """The CPU over [t0, t1) as the credits allowed it (minutes not held back count as ``raw``)."""
        if raw is None or instance_id not in self.balances:
            return raw
        minutes = [t0 + 60 * i for i in range(max(1, int(round((t1 - t0) / 60))))]
        values = [self.actual.get((instance_id, m), raw) for m in minutes]
        return round(min(raw, sum(values) / len(values)), 3)
