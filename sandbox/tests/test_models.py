"""Pure pieces of the sandbox: the shell-script model, the request parser, the fault document."""

import pytest

from scaleout_sandbox import requestlog, shellsim
from scaleout_sandbox.faults import FaultError, Faults

# ------------------------------------------------------------------ shell scripts


def plan(text):
    return shellsim.plan_script(text)


def test_bounded_sha256sum_runs_for_its_bound_and_exits_124_like_gnu_timeout():
    p = plan("timeout 600 sha256sum /dev/zero")
    assert [(l.start, l.end, l.threads) for l in p.loads] == [(0, 600, 1)]
    assert (p.duration, p.exit_code) == (600, 124)


def test_the_124_idiom_and_stress_ng_report_success():
    assert plan("timeout 10m sha256sum /dev/zero || [ $? -eq 124 ]").exit_code == 0
    assert plan("timeout 60s sha256sum /dev/zero; exit 0").exit_code == 0
    p = plan("stress-ng --cpu 0 --timeout 5m")
    assert (p.loads[0].threads, p.duration, p.exit_code) == (0, 300, 0)


def test_unbounded_loads_run_until_cancelled():
    for command in ("sha256sum /dev/zero", "yes > /dev/null", "cat /dev/zero | sha256sum", "md5sum /dev/urandom"):
        p = plan(command)
        assert p.duration is None and p.loads[0].end is None, command


def test_background_loads_and_wait():
    script = "timeout 600 sha256sum /dev/zero &\ntimeout 600 sha256sum /dev/zero &\nwait\nexit 0"
    p = plan(script)
    assert [l.background for l in p.loads] == [True, True]
    assert (p.duration, p.exit_code) == (600, 0)
    detached = plan("nohup timeout 5m sha256sum /dev/zero > /dev/null 2>&1 &\necho started")
    assert (detached.duration, detached.stdout, detached.loads[0].end) == (0, "started\n", 300)


def test_echo_sleep_exit_and_other_commands():
    p = plan("#!/bin/bash\necho one\nsleep 30\ndnf install -y nginx\necho two\nexit 3\necho never")
    assert (p.stdout, p.duration, p.exit_code, p.loads) == ("one\ntwo\n", 30, 3, [])
    assert plan("false || echo rescued").stdout == "rescued\n"
    assert plan("false && echo skipped").stdout == ""


def test_timeout_kill_signal_and_inner_bound():
    assert plan("timeout -s KILL 60 yes").exit_code == 137
    assert plan("timeout 600 stress-ng --cpu 1 --timeout 60").duration == 60


@pytest.mark.parametrize("text,seconds", [("90", 90), ("90s", 90), ("10m", 600), ("1.5h", 5400), ("1d", 86400), ("x", None)])
def test_durations(text, seconds):
    assert shellsim.parse_duration(text) == seconds


# ------------------------------------------------------------------ request parsing


def signed(service, region="ap-northeast-2"):
    return f"AWS4-HMAC-SHA256 Credential=AKID/20261130/{region}/{service}/aws4_request, SignedHeaders=host, Signature=x"


def test_query_protocol_action_from_the_form_body():
    call = requestlog.parse("POST", "/", "", {"authorization": signed("ec2"), "content-type": "application/x-www-form-urlencoded"},
                            b"Action=RunInstances&Version=2016-11-15")
    assert call == {"service": "ec2", "region": "ap-northeast-2", "action": "RunInstances"}
    assert requestlog.is_mutating("RunInstances") and not requestlog.is_mutating("DescribeInstances")


def test_json_protocol_action_from_x_amz_target():
    call = requestlog.parse("POST", "/", "", {"authorization": signed("ssm"), "x-amz-target": "AmazonSSM.SendCommand"}, b"{}")
    assert (call["service"], call["action"]) == ("ssm", "SendCommand")


def test_smithy_rpc_v2_path_and_signing_name_aliases():
    call = requestlog.parse("POST", "/service/GraniteServiceVersion20100801/operation/DescribeAlarms", "",
                            {"authorization": signed("monitoring")}, b"")
    assert (call["service"], call["action"]) == ("cloudwatch", "DescribeAlarms")
    elb = requestlog.parse("POST", "/", "", {"authorization": signed("elasticloadbalancing"),
                                             "content-type": "application/x-www-form-urlencoded"},
                           b"Action=DescribeTargetHealth&Version=2015-12-01")
    assert elb["service"] == "elbv2"


def test_rest_operation_from_the_service_model():
    call = requestlog.parse("PUT", "/my-bucket/key.txt", "", {"authorization": signed("s3")}, b"data")
    assert (call["service"], call["action"]) == ("s3", "PutObject")
    assert requestlog.parse("GET", "/my-bucket", "list-type=2", {"authorization": signed("s3")}, b"")["action"].startswith("List")


# ------------------------------------------------------------------ faults


def test_fault_document_is_validated_and_merged():
    faults = Faults()
    faults.update({"unoffered": [{"zone": "ap-northeast-2a", "instance_type": "t3.micro"}]})
    faults.update({"never_healthy": {"groups": ["web"]}})
    assert faults.unoffered("ap-northeast-2a", "t3.micro") and not faults.unoffered("ap-northeast-2a", "t2.micro")
    assert faults.never_healthy("i-1", "web") and not faults.never_healthy("i-1", "other")
    faults.update({"insufficient_capacity": [{"zone": "ap-northeast-2c"}]})
    assert faults.insufficient_capacity("ap-northeast-2c", "anything")
    for bad in ({"nope": 1}, {"unoffered": "x"}, {"never_healthy": {"instances": "i-1"}}, []):
        with pytest.raises(FaultError):
            faults.update(bad)
    assert faults.clear()["unoffered"] == []


def test_timeout_without_foreground_and_setsid_run_in_a_process_group_of_their_own():
    own = {command: plan(command).loads[0].own_group for command in (
        "timeout 60 sha256sum /dev/zero &", "timeout --foreground 60 sha256sum /dev/zero &",
        "sha256sum /dev/zero &", "setsid sha256sum /dev/zero &", "timeout -s KILL 60 yes",
        "setsid timeout --foreground 60 yes")}
    assert own == {"timeout 60 sha256sum /dev/zero &": True, "timeout --foreground 60 sha256sum /dev/zero &": False,
                   "sha256sum /dev/zero &": False, "setsid sha256sum /dev/zero &": True, "timeout -s KILL 60 yes": True,
                   "setsid timeout --foreground 60 yes": True}
