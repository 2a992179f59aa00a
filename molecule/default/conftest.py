"""Clients for the sandbox the scenario converged, from the same inventory the playbooks use:
one (stack, region) per host of the sandbox inventory."""

import os
from pathlib import Path

import boto3
import pytest
import yaml

INVENTORY = Path(__file__).resolve().parents[2] / "inventories" / "sandbox"


def sandbox_stacks():
    hosts = yaml.safe_load((INVENTORY / "hosts.yml").read_text())["webtier_stacks"]["hosts"]
    default_region = yaml.safe_load((INVENTORY / "group_vars" / "all.yml").read_text())["scaleout_aws_region"]
    return [(h["stack_name"], h.get("scaleout_aws_region", default_region)) for h in hosts.values()]


STACKS = sandbox_stacks()


def clients(region):
    session = boto3.session.Session(aws_access_key_id="sandbox-access-key", aws_secret_access_key="sandbox-secret-key",
                                    region_name=region)
    endpoint = "http://127.0.0.1:%s" % os.environ.get("SCALEOUT_SANDBOX_PORT", "4599")
    return lambda service: session.client(service, endpoint_url=endpoint)


@pytest.fixture(scope="module", params=STACKS, ids=[s for s, _r in STACKS])
def stack_region(request):
    return request.param


@pytest.fixture(scope="module")
def stack(stack_region):
    return stack_region[0]


@pytest.fixture(scope="module")
def aws(stack_region):
    return clients(stack_region[1])


@pytest.fixture(scope="module")
def primary():
    """The first stack of the inventory, for tests that re-run the playbooks (they converge every stack)."""
    stack, region = STACKS[0]
    return stack, clients(region)
