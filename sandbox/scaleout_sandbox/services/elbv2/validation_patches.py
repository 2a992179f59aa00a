"""Elastic Load Balancing parameter validation as AWS does it, for the calls the pipeline makes
(moto accepts these values): load balancer names, scheme, subnets (at least two zones for an
Application Load Balancer, one subnet per zone, one VPC) and target group health check maxima
(botocore checks only the minima on the client). Sources in docs/sandbox.md, "Parameter validation"."""

from __future__ import annotations

import re

from ...core.registry import patch

M = "moto.elbv2.responses"
# CreateLoadBalancer Name: "a maximum of 32 characters, must contain only alphanumeric characters or
# hyphens, must not begin or end with a hyphen, and must not begin with 'internal-'".
_NAME_RE = re.compile(r"^[A-Za-z0-9-]+$")
SCHEMES = ("internet-facing", "internal")
# HealthCheckIntervalSeconds 5-300, HealthCheckTimeoutSeconds 2-120, Healthy/UnhealthyThresholdCount 2-10.
HEALTH_CHECK_MAXIMA = {"HealthCheckIntervalSeconds": ("healthCheckIntervalSeconds", 300),
                       "HealthCheckTimeoutSeconds": ("healthCheckTimeoutSeconds", 120),
                       "HealthyThresholdCount": ("healthyThresholdCount", 10),
                       "UnhealthyThresholdCount": ("unhealthyThresholdCount", 10)}


def load_balancer_name_error(name):
    if name is None:
        return None
    if len(name) > 32:
        return ("ValidationError", f"The load balancer name '{name}' cannot be longer than '32' characters")
    if not _NAME_RE.match(name):
        return ("ValidationError", f"The load balancer name '{name}' can contain only alphanumeric characters and hyphens")
    if name.startswith("-") or name.endswith("-"):
        return ("ValidationError", f"The load balancer name '{name}' cannot begin or end with a hyphen")
    if name.lower().startswith("internal-"):
        return ("ValidationError", f"The load balancer name '{name}' cannot begin with 'internal-'")
    return None


def subnets_error(subnets, lb_type):
    """subnets: [(subnet_id, zone, vpc_id)] of the request (subnets that exist)."""
    if len({vpc for _s, _z, vpc in subnets}) > 1:
        return ("InvalidConfigurationRequest", "The subnets specified must all belong to the same VPC")
    zones = [zone for _s, zone, _v in subnets]
    if len(set(zones)) < len(zones):
        return ("InvalidConfigurationRequest", "A load balancer cannot be attached to multiple subnets in the same Availability Zone")
    if (lb_type or "application") == "application" and len(set(zones)) < 2:
        return ("ValidationError", "At least two subnets in two different Availability Zones must be specified")
    return None


def _refuse(error):
    from moto.elbv2.exceptions import ELBClientError

    if error is not None:
        raise ELBClientError(*error)


@patch(M, "ELBV2Response", "create_load_balancer")
def create_load_balancer(_engine, original):
    def create_load_balancer(self):
        params = self._get_params()
        _refuse(load_balancer_name_error(params.get("Name")))
        scheme = params.get("Scheme")
        if scheme is not None and scheme not in SCHEMES:
            _refuse(("ValidationError", f"1 validation error detected: Value '{scheme}' at 'scheme' failed to satisfy "
                                        f"constraint: Member must satisfy enum value set: [{', '.join(SCHEMES)}]"))
        ids = list(params.get("Subnets") or []) + [m.get("SubnetId") for m in params.get("SubnetMappings") or []]
        ec2 = self.elbv2_backend.ec2_backend
        known = []
        for subnet_id in ids:
            try:
                subnet = ec2.get_subnet(subnet_id)
            except Exception:  # noqa: BLE001 - an unknown subnet is moto's own error to give
                continue
            known.append((subnet.id, subnet.availability_zone, subnet.vpc_id))
        if len(known) == len(ids):
            _refuse(subnets_error(known, params.get("Type")))
        return original(self)

    return create_load_balancer


def health_check_error(params):
    for key, (member, high) in HEALTH_CHECK_MAXIMA.items():
        value = params.get(key)
        if value is not None and int(value) > high:
            return ("ValidationError", f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
                                       f"constraint: Member must have value less than or equal to {high}")
    code = (params.get("Matcher") or {}).get("HttpCode")
    if code is not None:
        parts = [int(p) for p in re.split(r"[,-]", str(code)) if p.strip().isdigit()]
        if not parts or any(not 200 <= p <= 499 for p in parts):
            return ("ValidationError", f"Health check matcher HTTP code '{code}' must be within '200-499' range")
    return None


@patch(M, "ELBV2Response", "create_target_group")
def create_target_group(_engine, original):
    def create_target_group(self):
        _refuse(health_check_error(self._get_params()))
        return original(self)

    return create_target_group


@patch(M, "ELBV2Response", "modify_target_group")
def modify_target_group(_engine, original):
    def modify_target_group(self):
        _refuse(health_check_error(self._get_params()))
        return original(self)

    return modify_target_group
