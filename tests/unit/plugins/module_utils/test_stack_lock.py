"""The stack lock: its record and decisions (pure), and the take-over of a stale lock against an
in-memory Parameter Store that creates a name for one caller only, as AWS does."""

import json

import pytest
from botocore.exceptions import ClientError

from ansible_collections.scaleout.webtier.plugins.module_utils import _stack_lock as lock
from ansible_collections.scaleout.webtier.plugins.modules import stack_lock as module

NOW = "2026-12-06T10:00:00Z"


def test_the_record_expires_ttl_seconds_after_it_was_taken():
    record = lock.new_record("me@host 1", "converge", NOW, 600)
    assert record == {"owner": "me@host 1", "purpose": "converge", "started": NOW, "expires": "2026-12-06T10:10:00Z"}
    assert lock.decode(lock.encode(record)) == record
    assert not lock.is_expired(record, "2026-12-06T10:09:59Z")
    assert lock.is_expired(record, "2026-12-06T10:10:00Z")


def test_a_value_that_is_not_a_record_counts_as_expired():
    record = lock.decode("written by hand")
    assert "unknown" in record["owner"] and lock.is_expired(record, NOW)


def test_the_holder_is_described_with_since_when():
    text = lock.describe(lock.new_record("ci@runner 9", "teardown", NOW, 600), "/scaleout/lock/web/holder",
                         "2026-12-06T10:05:00Z")
    assert text == ("/scaleout/lock/web/holder is held by ci@runner 9 (teardown) since 2026-12-06T10:00:00Z, "
                    "until 2026-12-06T10:10:00Z (for 5 min by AWS's clock)")


def test_names_are_under_the_lock_path_and_differ_per_stale_owner():
    assert lock.holder_name("web") == "/scaleout/lock/web/holder"
    assert lock.takeover_name("web", "a").startswith("/scaleout/lock/web/takeover-")
    assert lock.takeover_name("web", "a") != lock.takeover_name("web", "b")


class ParameterStore:
    """get/put/delete_parameter with AWS's answers: Overwrite=false creates only what is absent."""

    def __init__(self, now=NOW):
        self.values, self.now, self.calls = {}, now, []

    def _error(self, code, operation):
        return ClientError({"Error": {"Code": code, "Message": code},
                            "ResponseMetadata": {"HTTPHeaders": {"date": self.http_now()}}}, operation)

    def http_now(self):
        from datetime import datetime
        from email.utils import format_datetime

        return format_datetime(datetime.fromisoformat(self.now.replace("Z", "+00:00")), usegmt=True)

    def get_parameter(self, Name):
        self.calls.append(("get", Name))
        if Name not in self.values:
            raise self._error("ParameterNotFound", "GetParameter")
        return {"Parameter": {"Value": self.values[Name], "Version": 1},
                "ResponseMetadata": {"HTTPHeaders": {"date": self.http_now()}}}

    def put_parameter(self, Name, Value, Overwrite=False, **_kwargs):
        self.calls.append(("put", Name, Overwrite))
        if Name in self.values and not Overwrite:
            raise self._error("ParameterAlreadyExists", "PutParameter")
        self.values[Name] = Value

    def delete_parameter(self, Name):
        self.calls.append(("delete", Name))
        if self.values.pop(Name, None) is None:
            raise self._error("ParameterNotFound", "DeleteParameter")


PARAMS = {"stack_name": "web", "purpose": "converge", "ttl": 600, "tags": {"scaleout:stack": "web"}}


def holder(store):
    return json.loads(store.values[lock.holder_name("web")])["owner"]


def test_the_first_run_takes_the_lock_and_the_second_does_not():
    store = ParameterStore()
    assert module.try_to_take(store, PARAMS, "first")[0]
    held, record, taken_over = module.try_to_take(store, PARAMS, "second")
    assert (held, record["owner"], taken_over) == (False, "first", None)
    assert holder(store) == "first"
    # The holder asking again still holds it.
    assert module.try_to_take(store, PARAMS, "first")[0]


def test_a_stale_lock_is_taken_over_by_one_run_only():
    store = ParameterStore()
    module.try_to_take(store, PARAMS, "dead")
    store.now = "2026-12-06T10:11:00Z"
    held, record, taken_over = module.try_to_take(store, PARAMS, "next")
    assert held and taken_over["owner"] == "dead" and record["took_over"] == "dead"
    assert holder(store) == "next"
    # A slower run that also saw the stale lock loses: its take-over marker already exists.
    store.values[lock.holder_name("web")] = lock.encode(lock.new_record("dead", "converge", NOW, 600))
    held, _record, _taken = module.try_to_take(store, PARAMS, "slow")
    assert not held


def test_a_take_over_backs_off_when_the_stale_holder_changed_meanwhile():
    store = ParameterStore()
    module.try_to_take(store, PARAMS, "dead")
    store.now = "2026-12-06T10:11:00Z"
    real_put = store.put_parameter

    def put_then_someone_else_wins(Name, Value, Overwrite=False, **kwargs):
        real_put(Name, Value, Overwrite, **kwargs)
        if "takeover-" in Name:
            # Between our marker and our re-read, another run replaced the stale lock.
            store.values[lock.holder_name("web")] = lock.encode(lock.new_record("winner", "converge", store.now, 600))

    store.put_parameter = put_then_someone_else_wins
    held, record, _taken = module.try_to_take(store, PARAMS, "late")
    assert not held and record["owner"] == "winner" and holder(store) == "winner"


@pytest.mark.parametrize("owner,released", [("me", True), ("someone else", False)])
def test_release_deletes_only_the_owners_lock(owner, released):
    store = ParameterStore()
    module.try_to_take(store, PARAMS, "me")

    class Module:
        params = dict(PARAMS)
        check_mode = False

    result = module.release(Module, store, owner)
    assert result["released"] is released
    assert (lock.holder_name("web") in store.values) is not released
