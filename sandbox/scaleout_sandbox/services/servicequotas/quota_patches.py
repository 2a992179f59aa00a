"""GetServiceQuota for every service of quotas.py (moto knows ``vpc`` only), with the account's
applied value from the fault hook ``quotas`` when a test set one."""

from __future__ import annotations

from ...core.registry import patch
from .quotas import quota


@patch("moto.servicequotas.models", "ServiceQuotasBackend", "get_service_quota")
def get_service_quota(engine, _original):
    from moto.servicequotas.exceptions import NoSuchResource

    def get_service_quota(self, service_code, quota_code):
        found = quota(service_code, quota_code, self.region_name, engine.faults.applied_quota(service_code, quota_code))
        if found is None:
            raise NoSuchResource
        return found

    return get_service_quota
