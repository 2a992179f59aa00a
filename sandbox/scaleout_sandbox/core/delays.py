"""The simulated lifecycle delays: defaults, SCALEOUT_SANDBOX_DELAYS and POST /_sandbox/delays."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

DELAYS_ENV = "SCALEOUT_SANDBOX_DELAYS"


@dataclass
class Delays:
    """Simulated seconds (the defaults are what AWS typically shows), and switches of hard edges."""

    instance_pending_s: float = 30.0  # RunInstances: pending -> running
    instance_boot_s: float = 75.0  # launch -> booted (cloud-init done, ASG InService)
    instance_shutdown_s: float = 20.0  # shutting-down -> terminated, stopping -> stopped
    image_pending_s: float = 240.0  # CreateImage: pending -> available
    lb_provisioning_s: float = 150.0  # CreateLoadBalancer: provisioning -> active
    startup_seconds: float = 180.0  # after running: CPU of boot and application start
    startup_cpu: float = 70.0  # percent during startup_seconds
    iam_propagation_s: float = 30.0  # a new instance profile (or its role) usable by EC2/Auto Scaling after this
    ssm_registration_min_s: float = 20.0  # booted -> SSM agent registered (Online), at least
    ssm_registration_max_s: float = 120.0  # ... and at most (each instance draws its own, deterministically)
    zone_retry_s: float = 300.0  # a zone where a launch failed is tried again after this
    refresh_stall_s: float = 3600.0  # an instance refresh without progress for this long fails
    snapshot_in_use_s: float = 60.0  # DeleteSnapshot: InvalidSnapshot.InUse this long after DeregisterImage
    lb_interfaces_linger_s: float = 1200.0  # a load balancer's network interfaces outlive DeleteLoadBalancer
    target_group_in_use_s: float = 60.0  # DeleteTargetGroup: ResourceInUse this long after its listener went
    # The sandbox account's applied "Running On-Demand Standard instances" quota (ec2 L-1216C47A), in
    # vCPUs: an established account's, after an approved increase (AWS's default, and a new account's
    # value, is 5: a fault hook "quotas" sets that). Service Quotas reports it; EC2 does not enforce it.
    standard_vcpu_quota: float = 64.0
    # Switches (true/false) of hard edges, on by default as on AWS:
    xen_console_at_transitions: bool = True  # Xen types: console posted at state transitions only, no Latest
    t3_standard_by_default: bool = False  # the account made standard the default credit mode of T3/T3a/T4g (AWS: unlimited)
    ssm_validate_filters: bool = True  # ListCommands/ListCommandInvocations refuse undocumented filter keys and values
    ssm_kill_process_group_only: bool = True  # CancelCommand/executionTimeout kill the script's process group only

    @classmethod
    def from_env(cls, environ=os.environ) -> "Delays":
        delays = cls()
        raw = environ.get(DELAYS_ENV, "").strip()
        if raw:
            try:
                values = json.loads(raw)
            except ValueError:
                raise ValueError(f"{DELAYS_ENV} must be a JSON object of simulated seconds, got {raw!r}") from None
            delays.update(values)
        return delays

    def update(self, values: dict) -> None:
        if not isinstance(values, dict):
            raise ValueError("delays must be a JSON object")
        for key, value in values.items():
            if not hasattr(self, key):
                raise ValueError(f"unknown delay {key!r}; known: {sorted(self.__dict__)}")
            if isinstance(getattr(self, key), bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{key} is a switch: true or false")
                setattr(self, key, value)
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"delay {key} must be a non-negative number of simulated seconds")
            setattr(self, key, float(value))

    def as_dict(self) -> dict:
        return dict(self.__dict__)
