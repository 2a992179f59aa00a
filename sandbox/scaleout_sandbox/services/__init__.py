"""The AWS services the sandbox simulates, one package each: its control loops (``<topic>.py``)
and its patches of moto (``<topic>_patches.py``, declared in core/registry.py's registry).

Nothing is imported here at import time (ctl.py and client.py import the IAM constants without
moto); ``attach()`` builds the control loops on an engine, ``load_patches()`` imports every patch
module so that the registry is complete.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_patches() -> None:
    """Import every ``*_patches`` module of every service: each registers its own patches."""
    for info in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        if info.name.endswith("_patches"):
            importlib.import_module(info.name)


def attach(engine) -> None:
    """Give the engine every service's control loop, in the order step() runs them."""
    from .autoscaling.groups import Groups
    from .autoscaling.policies import TargetTracking
    from .autoscaling.refresh import Refreshes
    from .cloudwatch.alarms import AlarmHistory
    from .cloudwatch.metrics import Metrics
    from .ec2.credits import Credits
    from .ec2.consistency import Consistency
    from .ec2.images import Images
    from .ec2.instances import Instances
    from .elbv2.interfaces import LoadBalancerInterfaces
    from .iam.propagation import Propagation
    from .ssm.run_command import RunCommand

    instances, images, run_command = Instances(engine), Images(engine), RunCommand(engine)
    groups, refreshes, target_tracking = Groups(engine), Refreshes(engine), TargetTracking(engine)
    alarms, metrics = AlarmHistory(engine), Metrics(engine)
    load_balancer_interfaces = LoadBalancerInterfaces(engine)
    engine.add_service("propagation", Propagation(engine))
    engine.add_service("credits", Credits(engine))
    engine.add_service("consistency", Consistency(engine))
    for name, service in (("instances", instances), ("images", images), ("run_command", run_command),
                          ("groups", groups), ("refreshes", refreshes), ("target_tracking", target_tracking),
                          ("alarms", alarms), ("metrics", metrics), ("load_balancer_interfaces", load_balancer_interfaces)):
        engine.add_service(name, service)
    engine.add_step("instances", instances.step)
    engine.add_step("images", images.step)
    engine.add_step("commands", run_command.step)
    engine.add_step("groups", groups.step)  # each group's instance refresh too
    engine.add_step("load_balancer_interfaces", load_balancer_interfaces.step)
    engine.every_minute(engine.credits.minute)  # before publishing: the minute's CPU as credits allow it
    engine.every_minute(metrics.publish)
    engine.every_minute(target_tracking.evaluate)
    engine.every_hour(metrics.prune)
