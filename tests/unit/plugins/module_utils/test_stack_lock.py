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

    def delete_parameters(self, Names):
        self.calls.append(("delete many", tuple(Names)))
        assert len(Names) <= 10
        deleted = [n for n in Names if self.values.pop(n, None) is not None]
        return {"DeletedParameters": deleted, "InvalidParameters": [n for n in Names if n not in deleted]}

    def get_paginator(self, operation):
        assert operation == "get_parameters_by_path"
        store = self

        class Pages:
            def paginate(self, Path, Recursive=False):
                store.calls.append(("list", Path))
                names = sorted(n for n in store.values if n.startswith(Path.rstrip("/") + "/"))
                # Ten a page, as AWS answers at most.
                for start in range(0, max(len(names), 1), 10):
                    yield {"Parameters": [{"Name": n, "Value": store.values[n]} for n in names[start:start + 10]]}

        return Pages()


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
    stale = lock.decode(store.values[lock.holder_name("web")])
    real_get = store.get_parameter
    seen = []

    def slow_reader(Name):
        # A slower run read the stale lock; before it goes on, "next" takes it over.
        answer = real_get(Name)
        if not seen:
            seen.append(Name)
            assert module.try_to_take(store, PARAMS, "next")[0]
        return answer

    store.get_parameter = slow_reader
    held, _record, _taken = module.try_to_take(store, PARAMS, "slow")
    store.get_parameter = real_get
    assert not held and holder(store) == "next"
    record = json.loads(store.values[lock.holder_name("web")])
    assert record["took_over"] == stale["owner"] == "dead"
    # No marker is left: the winner swept them, the loser deleted its own.
    assert sorted(store.values) == [lock.holder_name("web")]


def test_a_marker_left_by_a_taker_that_died_expires_and_the_next_taker_goes_past_it():
    store = ParameterStore()
    module.try_to_take(store, PARAMS, "dead")
    # "killed" created its marker to take over "dead", then died before it overwrote the lock.
    store.values[lock.takeover_name("web", "dead")] = lock.encode(
        lock.new_record("killed", "take-over", "2026-12-06T10:10:30Z", 600))
    store.now = "2026-12-06T10:15:00Z"
    held, _record, _taken = module.try_to_take(store, PARAMS, "next")
    assert not held, "the marker of a take-over that may still be under way must hold others back"
    assert holder(store) == "dead"
    store.now = "2026-12-06T10:21:00Z"  # the dead taker's marker has expired
    held, record, taken_over = module.try_to_take(store, PARAMS, "next")
    assert held and taken_over["owner"] == "dead" and record["owner"] == "next"
    assert ("put", lock.takeover_name("web", ["dead", "killed"]), False) in store.calls
    assert sorted(store.values) == [lock.holder_name("web")], "the stale markers were not removed"


def test_a_marker_without_a_record_counts_as_expired():
    store = ParameterStore()
    module.try_to_take(store, PARAMS, "dead")
    store.values[lock.takeover_name("web", "dead")] = json.dumps({"owner": "old version"})
    store.now = "2026-12-06T10:11:00Z"
    assert module.try_to_take(store, PARAMS, "next")[0]
    assert sorted(store.values) == [lock.holder_name("web")]


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
    result = module.release(Module(), store, owner)
    assert result["released"] is released
    assert (lock.holder_name("web") in store.values) is not released


class Module:
    def __init__(self, check_mode=False, **params):
        self.params = {**PARAMS, "purge": False, "hold_for": None, **params}
        self.check_mode = check_mode
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)

    def fail_json(self, **result):
        raise Failed(result)


class Failed(Exception):
    pass


@pytest.mark.parametrize("owner,released", [("me", True), ("someone else", False)])
def test_purge_deletes_everything_under_the_path_only_for_the_holder(owner, released):
    store = ParameterStore()
    module.try_to_take(store, PARAMS, "me")
    markers = [lock.takeover_name("web", f"dead {n}") for n in range(12)]
    for name in markers:
        store.values[name] = "{}"
    store.values["/scaleout/lock/web-other/holder"] = "{}"
    result = module.release(Module(purge=True), store, owner)
    assert result["released"] is released
    left = sorted(store.values)
    if released:
        assert left == ["/scaleout/lock/web-other/holder"]
        assert sorted(result["deleted"]) == sorted(markers + [lock.holder_name("web")])
    else:
        assert len(left) == 14


def test_renewal_decisions():
    mine = lock.new_record("me", "converge", NOW, 600)
    assert lock.renewal(None, "me", NOW, 600) == (lock.LOST, None)
    assert lock.renewal(mine, "other", NOW, 600) == (lock.LOST, None)
    # More than half the TTL left: nothing written.
    assert lock.renewal(mine, "me", "2026-12-06T10:04:59Z", 600) == (lock.KEEP, None)
    verdict, renewed = lock.renewal(mine, "me", "2026-12-06T10:05:01Z", 600)
    assert verdict == lock.RENEW and renewed["expires"] == "2026-12-06T10:15:01Z"
    assert renewed["started"] == NOW and renewed["renewed"] == "2026-12-06T10:05:01Z"
    # A long wait ahead: renewed for as long as it needs, beyond the TTL.
    verdict, renewed = lock.renewal(mine, "me", "2026-12-06T10:01:00Z", 600, hold_for=1800)
    assert verdict == lock.RENEW and renewed["expires"] == "2026-12-06T10:31:00Z"
    # Expired, and nobody took it: still this run's.
    assert lock.renewal(mine, "me", "2026-12-06T11:00:00Z", 600)[0] == lock.RENEW


def test_renew_writes_only_when_due_and_never_another_runs_lock():
    store = ParameterStore()
    module.try_to_take(store, PARAMS, "me")
    store.calls.clear()
    assert module.renew(Module(), store, "me")["renewed"] is False
    assert store.calls == [("get", lock.holder_name("web"))]
    store.now = "2026-12-06T10:06:00Z"
    result = module.renew(Module(), store, "me")
    assert result["renewed"] and json.loads(store.values[lock.holder_name("web")])["expires"] == "2026-12-06T10:16:00Z"
    # Another run took it over: the renewal fails naming it, and writes nothing.
    store.values[lock.holder_name("web")] = lock.encode(lock.new_record("thief", "converge", store.now, 600))
    before = dict(store.values)
    store.calls.clear()
    with pytest.raises(Failed) as failed:
        module.renew(Module(), store, "me")
    assert "no longer holds the lock" in failed.value.args[0]["msg"] and "held by thief" in failed.value.args[0]["msg"]
    assert store.values == before and all(c[0] == "get" for c in store.calls)
