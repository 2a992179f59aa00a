import pytest

from ansible_collections.scaleout.webtier.plugins.module_utils._bake import (
    console_tail,
    console_verdict,
    fingerprint,
    images_to_retire,
)


def test_fingerprint_is_stable_and_ignores_key_order():
    a = fingerprint({"source": "ami-1", "script": "echo hi", "port": 80})
    assert a == fingerprint({"port": 80, "script": "echo hi", "source": "ami-1"})
    assert len(a) == 16 and int(a, 16) >= 0


@pytest.mark.parametrize("change", [{"source": "ami-2"}, {"script": "echo hi!"}, {"port": 8080}])
def test_fingerprint_changes_with_any_input(change):
    base = {"source": "ami-1", "script": "echo hi", "port": 80}
    assert fingerprint(base) != fingerprint(dict(base, **change))


def img(image_id, created):
    return {"image_id": image_id, "creation_date": created}


IMAGES = [img("ami-3", "2026-03-01T00:00:00Z"), img("ami-1", "2026-01-01T00:00:00Z"),
          img("ami-4", "2026-04-01T00:00:00Z"), img("ami-2", "2026-02-01T00:00:00Z")]


def test_retention_keeps_the_newest_and_returns_the_rest_oldest_first():
    assert [i["image_id"] for i in images_to_retire(IMAGES, keep=2)] == ["ami-1", "ami-2"]
    assert images_to_retire(IMAGES, keep=4) == []
    assert images_to_retire(IMAGES, keep=10) == []


def test_retention_never_removes_the_image_in_use():
    assert [i["image_id"] for i in images_to_retire(IMAGES, keep=1, protected_ids=["ami-1"])] == ["ami-2", "ami-3"]


def test_retention_reads_boto3_shapes_too():
    images = [{"ImageId": "ami-a", "CreationDate": "2026-01-01"}, {"ImageId": "ami-b", "CreationDate": "2026-02-01"}]
    assert [i["ImageId"] for i in images_to_retire(images, keep=1)] == ["ami-a"]


def test_retention_refuses_to_keep_nothing():
    with pytest.raises(ValueError, match="keep must be at least 1"):
        images_to_retire(IMAGES, keep=0)


def test_console_verdict():
    log = "boot\ncloud-init: running\nscaleout-bake-complete abc\n"
    assert console_verdict(log, "scaleout-bake-complete abc", "scaleout-bake-failed abc") == ("done", "scaleout-bake-complete abc")
    assert console_verdict("x\nscaleout-bake-failed abc: line 3\n", "scaleout-bake-complete abc", "scaleout-bake-failed abc")[0] == "failed"
    assert console_verdict("", "ok", "bad") == ("waiting", "")
    cloud_init = "cc_scripts_user.py[WARNING]: Failed to run module scripts-user (scripts in /var/lib/cloud)"
    assert console_verdict(cloud_init, "ok", ["bad", "Failed to run module scripts-user"])[0] == "failed"
    # A marker of another bake (another fingerprint) is not this bake's verdict.
    assert console_verdict("scaleout-bake-complete old", "scaleout-bake-complete new", "scaleout-bake-failed new")[0] == "waiting"


def test_console_tail_keeps_the_last_non_empty_lines():
    assert console_tail("a\n\nb\nc\n", lines=2) == "b\nc"
    assert console_tail("") == "(the console output is empty)"
