"""Service Quotas: AWS's codes and default values for what a web tier uses, the sandbox account's
applied vCPU quota, and the fault hook that sets an applied value."""

import pytest
from botocore.exceptions import ClientError


@pytest.mark.parametrize("service, code, value", [
    ("elasticloadbalancing", "L-53DA6B97", 50.0), ("elasticloadbalancing", "L-B22855CB", 3000.0),
    ("autoscaling", "L-CDE20ADC", 500.0), ("vpc", "L-E79EC296", 2500.0),
])
def test_default_values_and_codes(fresh, service, code, value):
    quota = fresh.client("service-quotas").get_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]
    assert (quota["QuotaCode"], quota["ServiceCode"], quota["Value"]) == (code, service, value)
    assert quota["QuotaArn"] == f"arn:aws:servicequotas:{fresh.region}::{service}/{code}"


def test_the_vcpu_quota_is_the_sandbox_accounts_and_a_fault_sets_a_new_accounts(fresh):
    quotas = fresh.client("service-quotas")
    quota = quotas.get_service_quota(ServiceCode="ec2", QuotaCode="L-1216C47A")["Quota"]
    assert quota["QuotaName"] == "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances"
    assert quota["Value"] == fresh.defaults["standard_vcpu_quota"]
    fresh.set_faults({"quotas": [{"service_code": "ec2", "quota_code": "L-1216C47A", "value": 5}]})
    assert quotas.get_service_quota(ServiceCode="ec2", QuotaCode="L-1216C47A")["Quota"]["Value"] == 5.0


def test_an_unknown_quota_is_no_such_resource(fresh):
    with pytest.raises(ClientError) as error:
        fresh.client("service-quotas").get_service_quota(ServiceCode="ec2", QuotaCode="L-00000000")
    assert error.value.response["Error"]["Code"] == "NoSuchResourceException"
