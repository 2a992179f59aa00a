"""The SSM agent of an instance: it registers with Systems Manager (becomes a managed node,
``PingStatus`` ``Online``) some time after the instance has booted - between
``ssm_registration_min_s`` and ``ssm_registration_max_s`` simulated seconds, each instance drawing its
own delay from its id. Run Command refuses an instance that has not registered (or is no longer
running) with ``InvalidInstanceId``, as AWS does; DescribeInstanceInformation lists only registered
instances: ``Online`` while running, ``ConnectionLost`` once stopped or terminated.

AWS: a node is managed once the agent runs, the instance profile lets it talk to Systems Manager
and the agent reaches an SSM endpoint to register ("Troubleshooting managed node availability",
Systems Manager User Guide); until then SendCommand answers InvalidInstanceId ("SSM Agent isn't
registered with the SSM endpoint", the SendCommand API reference)."""

from __future__ import annotations

import hashlib


def registration_delay(engine, instance_id: str) -> float:
    """Simulated seconds from boot to registration for this instance (deterministic per id)."""
    d = engine.delays
    low, high = min(d.ssm_registration_min_s, d.ssm_registration_max_s), max(d.ssm_registration_min_s, d.ssm_registration_max_s)
    fraction = int.from_bytes(hashlib.sha256(f"ssm:{instance_id}".encode()).digest()[:4], "big") / 0xFFFFFFFF
    return low + (high - low) * fraction


def registered_at(engine, instance) -> float:
    """When the agent of this instance registers (after its latest boot)."""
    sim = engine.instances.sim_for(instance)
    return sim.boot_done_at + registration_delay(engine, instance.id)


def is_registered(engine, instance) -> bool:
    """Registered by now - and before the instance stopped, if it did (a stopped agent registers nothing)."""
    when = registered_at(engine, instance)
    stopped = engine.instances.sim_for(instance).stopped_at
    return engine.now() >= when and (stopped is None or stopped >= when)


def is_online(engine, instance) -> bool:
    return instance.state == "running" and is_registered(engine, instance)
