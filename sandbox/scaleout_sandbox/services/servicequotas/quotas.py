"""Service Quotas: the quotas a web tier uses, with AWS's codes and default values.

moto answers only the ``vpc`` service; the sandbox adds the others the preflight reads. Values are
AWS's defaults as Service Quotas reports them (``GetAWSDefaultServiceQuota``); a new account may
start lower - the fault hook ``quotas`` sets an account's applied value (faults.py). Sources:

* ``ec2`` ``L-1216C47A`` "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", 5 vCPUs
  (AWS CLI Command Reference, ``get-aws-default-service-quota`` example; EC2 User Guide, "Amazon
  EC2 service quotas": vCPU-based On-Demand limits);
* ``elasticloadbalancing`` ``L-53DA6B97`` "Application Load Balancers per Region", 50, and
  ``L-B22855CB`` "Target Groups per Region", 3,000 (ELB User Guide, "Quotas for your Application
  Load Balancers");
* ``autoscaling`` ``L-CDE20ADC`` "Auto Scaling groups per region", 500 (EC2 Auto Scaling User
  Guide, "Auto Scaling service quotas");
* ``vpc`` ``L-E79EC296`` "VPC security groups per Region", 2,500 (VPC User Guide, "Amazon VPC
  quotas"), and the rest of moto's ``vpc`` table.
"""

from __future__ import annotations

from typing import Optional

SERVICE_NAMES = {
    "ec2": "Amazon Elastic Compute Cloud (Amazon EC2)",
    "elasticloadbalancing": "Elastic Load Balancing (ELB)",
    "autoscaling": "Amazon EC2 Auto Scaling",
    "vpc": "Amazon Virtual Private Cloud (Amazon VPC)",
}

# (service code, quota code) -> (name, default value)
DEFAULTS = {
    ("ec2", "L-1216C47A"): ("Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", 5.0),
    ("elasticloadbalancing", "L-53DA6B97"): ("Application Load Balancers per Region", 50.0),
    ("elasticloadbalancing", "L-B22855CB"): ("Target Groups per Region", 3000.0),
    ("autoscaling", "L-CDE20ADC"): ("Auto Scaling groups per region", 500.0),
}


def quota(service_code: str, quota_code: str, region: str, value: Optional[float] = None) -> Optional[dict]:
    """The Quota document AWS answers (None when the sandbox does not know the quota); `value` is an
    applied value that replaces the default."""
    known = DEFAULTS.get((service_code, quota_code))
    if known is None and service_code == "vpc":
        from moto.servicequotas.resources.default_quotas.vpc import VPC_DEFAULT_QUOTAS

        match = next((q for q in VPC_DEFAULT_QUOTAS if q["QuotaCode"] == quota_code), None)
        known = (match["QuotaName"], match["Value"]) if match else None
    if known is None:
        return None
    name, default = known
    return {"ServiceCode": service_code, "ServiceName": SERVICE_NAMES[service_code],
            "QuotaArn": f"arn:aws:servicequotas:{region}::{service_code}/{quota_code}",
            "QuotaCode": quota_code, "QuotaName": name, "Value": float(default if value is None else value),
            "Unit": "None", "Adjustable": True, "GlobalQuota": False}
