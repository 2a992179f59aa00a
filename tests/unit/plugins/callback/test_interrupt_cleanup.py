"""The interrupt_cleanup callback: what it remembers of a run, and the cleanup run it would start."""

import json
import types

import pytest
from ansible import context
from ansible.module_utils.common.collections import ImmutableDict

from ansible_collections.scaleout.webtier.plugins.callback import interrupt_cleanup


@pytest.fixture
def callback(monkeypatch):
    monkeypatch.delenv(interrupt_cleanup.CHILD_ENV, raising=False)
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict(inventory=("inventories/sandbox",),
                                                          extra_vars=('{"stack_lock_wait": 5}',),
                                                          vault_ids=(), vault_password_files=()))
    return interrupt_cleanup.CallbackModule()


def host(name):
    return types.SimpleNamespace(get_name=lambda: name)


def task(path, action="ansible.builtin.debug"):
    return types.SimpleNamespace(get_path=lambda: path, action=action)


def result(name, action, payload):
    return types.SimpleNamespace(_task=task("x.yml:1", action), _host=host(name), _result=payload)


def test_it_remembers_the_stacks_whose_bake_started_and_the_locks_they_hold(callback):
    callback.v2_runner_on_start(host("web"), task("/c/ansible_collections/scaleout/webtier/roles/bake/tasks/bake.yml:12"))
    callback.v2_runner_on_start(host("api"), task("/c/roles/bake/tasks/discover.yml:3"))
    assert callback._baking == {"web"}
    callback.v2_runner_on_ok(result("api", "scaleout.webtier.stack_lock", {"held": True, "lock": {"owner": "me 1"}}))
    assert callback._lock_owners == {"api": "me 1"}
    callback.v2_runner_on_ok(result("api", "scaleout.webtier.stack_lock", {"held": False, "released": True, "lock": {}}))
    assert callback._lock_owners == {}


def test_the_cleanup_run_gets_the_inventory_the_extra_vars_and_what_each_stack_left(callback):
    command = callback._command({"web": {"bake": True, "lock_owner": "me 1"}, "api": {"bake": False, "lock_owner": "x"}})
    assert command[command.index(interrupt_cleanup.CLEANUP_PLAYBOOK) + 1:] == [
        "-i", "inventories/sandbox", "-e", '{"stack_lock_wait": 5}',
        "-e", json.dumps({"interrupted_run": {"web": {"bake": True, "lock_owner": "me 1"},
                                              "api": {"bake": False, "lock_owner": "x"}}}),
        "--limit", "web,api"]
    assert interrupt_cleanup.CLEANUP_PLAYBOOK.endswith("playbooks/interrupted.yml")


def test_the_cleanup_run_itself_does_not_clean_up(monkeypatch):
    monkeypatch.setenv(interrupt_cleanup.CHILD_ENV, "1")
    assert not interrupt_cleanup.CallbackModule()._active
