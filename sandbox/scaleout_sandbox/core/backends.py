"""moto's per-account, per-region backends, as the control loops reach them."""

from __future__ import annotations


def each_backend(backend_dict):
    """(account, region, backend) for every backend moto has created so far."""
    for account, regions in list(backend_dict.items()):
        for region, backend in list(regions.items()):
            yield account, region, backend


def ec2_backend(account, region):
    from moto.ec2.models import ec2_backends

    return ec2_backends[account][region]


def cloudwatch_backend(account, region):
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[account][region]


def elbv2_backend(account, region):
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[account][region]
