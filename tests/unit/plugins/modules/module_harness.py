"""Run a module's main() against botocore-stubbed clients: each test queues the exact calls it
expects (Stubber checks their parameters, and an unexpected call fails the module), and gets back
the module's result."""

import datetime
import functools

import boto3
import pytest
from fake_clock import FakeClock
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.scaleout.webtier.plugins.module_utils import _waiting
from ansible_collections.scaleout.webtier.plugins.module_utils._waiting import Poller

REGION = "eu-west-1"
DATE = "Mon, 30 Nov 2026 12:10:00 GMT"


class ModuleExit(Exception):
    def __init__(self, result, failed):
        super().__init__(result.get("msg"))
        self.result, self.failed = result, failed


class StubbedAWS:
    """Stubbed boto3 clients by service, and how the module asked for them."""

    def __init__(self):
        self.clients, self.stubbers, self.requests = {}, {}, []

    def __getitem__(self, service):
        if service not in self.stubbers:
            client = boto3.client(service, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
            self.clients[service], self.stubbers[service] = client, Stubber(client)
            self.stubbers[service].activate()
        return self.stubbers[service]

    def client(self, service, retry_decorator=None, **params):
        self[service]
        self.requests.append((service, retry_decorator, params.get("config")))
        return self.clients[service]

    def done(self):
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


@pytest.fixture
def aws(monkeypatch):
    stubs = StubbedAWS()
    monkeypatch.setattr(AnsibleAWSModule, "client", lambda self, service, retry_decorator=None, **kw: stubs.client(service, retry_decorator, **kw))
    return stubs


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def fake_poller(monkeypatch, clock):
    """Make a module's Poller run on the fake clock: patch(module). A module that waits through a
    _waiting helper (call_until_found) has the helper's Poller patched instead."""
    def patch(module):
        target = module if hasattr(module, "Poller") else _waiting
        monkeypatch.setattr(target, "Poller", functools.partial(Poller, clock=clock, sleep=clock.sleep))
    return patch


@pytest.fixture
def run(monkeypatch):
    """run(module, args) -> (failed, result) of the module's main()."""
    def exit_json(self, **result):
        raise ModuleExit(result, False)

    def fail_json(self, msg, **result):
        raise ModuleExit(dict(result, msg=msg), True)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)

    def run_module(module, args, check_mode=False):
        args = dict(args, region=REGION, access_key="testing", secret_key="testing")
        if check_mode:
            args["_ansible_check_mode"] = True
        with patch_module_args(args), pytest.raises(ModuleExit) as ended:
            module.main()
        return ended.value.failed, ended.value.result
    return run_module


def with_date(response, date=DATE):
    """A stubbed answer with the HTTP Date header AWS sends."""
    return dict(response, ResponseMetadata={"HTTPStatusCode": 200, "HTTPHeaders": {"date": date}})


def at(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
