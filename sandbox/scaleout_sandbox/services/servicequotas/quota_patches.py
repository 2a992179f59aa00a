"""GetServiceQuota for every service of quotas.py (moto knows ``vpc`` only), with the account's
applied value from the fault hook ``quotas`` when a test set one."""

from __future__ import annotations

from ...core.registry import patch
from .quotas import quota

STANDARD_VCPUS = ("ec2", "L-1216C47A")


def applied_value(engine, service_code: str, quota_code: str):
    """The account's applied value: a test's (fault hook ``quotas``), else the sandbox account's vCPU
    quota (knob ``standard_vcpu_quota``), else None (AWS's default)."""
    value = engine.faults.applied_quota(service_code, quota_code)
    if value is None and (service_code, quota_code) == STANDARD_VCPUS:
        value = engine.delays.standard_vcpu_quota
    return value


@patch("moto.servicequotas.models", "ServiceQuotasBackend", "get_service_quota")
def get_service_quota(engine, _original):
    from moto.servicequotas.exceptions import NoSuchResource

    def get_service_quota(self, service_code, quota_code):
        found = quota(service_code, quota_code, self.region_name, applied_value(engine, service_code, quota_code))
        if found is None:
            raise NoSuchResource
        return found

    return get_service_quota
