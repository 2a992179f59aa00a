"""The SSM agent of an instance: an instance is managed ("SSM online") once it runs and has booted
(``instance_boot_s``); Run Command refuses the others, as AWS does for instances whose agent has not
registered."""

from __future__ import annotations


def is_online(engine, instance) -> bool:
    if instance.state != "running":
        return False
    return engine.now() >= engine.instances.sim_for(instance).boot_done_at
