"""Simulation records that several services share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .. import shellsim


@dataclass
class InstanceSim:
    """What the simulation knows of one EC2 instance: its lifecycle times (EC2), its loads (SSM Run
    Command, user data) that make its CPU (CloudWatch), and the template version it came from
    (Auto Scaling)."""

    instance_id: str
    account: str
    region: str
    launched_at: float
    running_at: float
    boot_done_at: float
    vcpus: int = 1
    loads: list = field(default_factory=list)  # [start, end|None, threads, command_id, background]
    stopped_at: Optional[float] = None
    state_change_at: Optional[float] = None  # when shutting-down/stopping/pending completes
    in_service_at: Optional[float] = None
    user_data: Optional[str] = None
    script: Optional[shellsim.Plan] = None
    version: Optional[str] = None  # launch template version used
    instance_type: str = ""
    credit_mode: Optional[str] = None  # burstable types: "standard" or "unlimited" (services/ec2/credits.py)
