"""Clients for the sandbox the scenario converged, from the same settings the inventory uses."""

import os

import boto3
import pytest

STACK = os.environ.get("VERIFY_STACK_NAME", "demo")


@pytest.fixture(scope="session")
def aws():
    session = boto3.session.Session(
        aws_access_key_id="sandbox-access-key",
        aws_secret_access_key="sandbox-secret-key",
        region_name=os.environ.get("VERIFY_REGION", "ap-northeast-2"),
    )
    endpoint = "http://127.0.0.1:%s" % os.environ.get("SCALEOUT_SANDBOX_PORT", "4599")
    return lambda service: session.client(service, endpoint_url=endpoint)


@pytest.fixture(scope="session")
def stack():
    return STACK
