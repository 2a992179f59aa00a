"""The fault proxy: pass-through, AWS-shaped throttling and 5xx errors that botocore retries, latency, control."""

import gzip
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import botocore.endpoint
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries import standard

from sandbox_harness import REGION, unique
from scaleout_sandbox import aws_error_shapes
from scaleout_sandbox.client import SandboxClient
from scaleout_sandbox.faultproxy import FaultProxy

SANDBOX = Path(__file__).resolve().parents[1]
CREDENTIALS = {"aws_access_key_id": "sandbox-access-key", "aws_secret_access_key": "sandbox-secret-key"}


def aws(endpoint, service, attempts=1, mode="standard", botocore_session=None):
    """A boto3 client on `endpoint` making at most `attempts` attempts per call (1: no retries)."""
    session = boto3.Session(botocore_session=botocore_session) if botocore_session else boto3
    return session.client(service, region_name=REGION, endpoint_url=endpoint, **CREDENTIALS,
                          config=Config(retries={"total_max_attempts": attempts, "mode": mode}))


def control(endpoint, method, path, document=None):
    data = None if document is None else json.dumps(document).encode()
    request = urllib.request.Request(endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read().decode())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read().decode())


@pytest.fixture
def proxy(box):
    """A proxy in front of the shared sandbox, no faults to start with; change them with proxy.update()."""
    with FaultProxy(box.endpoint, seed=1) as running:
        yield running


@pytest.fixture
def backoff(monkeypatch):
    """botocore's retry delays, recorded instead of slept (botocore computes them, the test does not wait)."""
    delays = []
    monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=delays.append))
    return delays


# One call per service, read-only, cheap in moto.
# Answers that do not change between the two calls while other tests' groups and instances live on
# in the same sandbox (an instance registering with SSM, a group launching).
CALLS = {
    "ec2": lambda c: c.describe_availability_zones()["AvailabilityZones"],
    "autoscaling": lambda c: c.describe_auto_scaling_groups(AutoScalingGroupNames=["no-such-group"])["AutoScalingGroups"],
    "elbv2": lambda c: c.describe_load_balancers(PageSize=1)["LoadBalancers"],
    "ssm": lambda c: c.describe_instance_information(
        Filters=[{"Key": "InstanceIds", "Values": ["i-00000000000000000"]}])["InstanceInformationList"],
    "cloudwatch": lambda c: c.describe_alarms(AlarmNamePrefix="no-such-alarm-")["MetricAlarms"],
    "iam": lambda c: c.list_roles(PathPrefix="/no-such-path/")["Roles"],
}
ACTIONS = {"ec2": "ec2:DescribeAvailabilityZones", "autoscaling": "autoscaling:DescribeAutoScalingGroups",
           "elbv2": "elbv2:DescribeLoadBalancers", "ssm": "ssm:DescribeInstanceInformation",
           "cloudwatch": "cloudwatch:DescribeAlarms", "iam": "iam:ListRoles"}
THROTTLE_CODES = {"ec2": "RequestLimitExceeded", "autoscaling": "Throttling", "elbv2": "Throttling",
                  "ssm": "ThrottlingException", "cloudwatch": "Throttling", "iam": "Throttling"}
THROTTLE_STATUS = {"ec2": 503}
SERVER_ERROR_CODES = {"ec2": "InternalError", "autoscaling": "InternalFailure", "elbv2": "InternalFailure",
                      "ssm": "InternalServerError", "cloudwatch": "InternalServiceError", "iam": "InternalFailure"}


# ---------------------------------------------------------------------------- pass-through


def test_calls_of_every_service_pass_through_unchanged(box, proxy):
    for service, call in CALLS.items():
        assert call(aws(proxy.endpoint, service)) == call(aws(box.endpoint, service)), service
    stats = proxy.stats()
    assert stats["requests"] == stats["forwarded"] == len(CALLS)
    assert stats["throttled"] == stats["server_errors"] == 0
    assert {key: value["seen"] for key, value in stats["by_action"].items()} == {a: 1 for a in ACTIONS.values()}


def test_writes_pass_through_with_their_bodies_and_reach_the_sandbox(box, proxy):
    ssm, cw = aws(proxy.endpoint, "ssm"), aws(proxy.endpoint, "cloudwatch")
    name, alarm = f"/faultproxy/{unique('p')}", unique("alarm")
    value = "x" * 5000 + " é ✓"  # a body larger than a socket read, and not ASCII
    ssm.put_parameter(Name=name, Value=value, Type="String")
    assert aws(box.endpoint, "ssm").get_parameter(Name=name)["Parameter"]["Value"] == value
    cw.put_metric_alarm(AlarmName=alarm, MetricName="CPUUtilization", Namespace="AWS/EC2", Statistic="Average",
                        Period=60, EvaluationPeriods=1, Threshold=50.0, ComparisonOperator="GreaterThanThreshold")
    assert [a["AlarmName"] for a in cw.describe_alarms(AlarmNames=[alarm])["MetricAlarms"]] == [alarm]
    role = unique("faultproxy-role")
    iam = aws(proxy.endpoint, "iam")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    assert aws(box.endpoint, "iam").get_role(RoleName=role)["Role"]["RoleName"] == role
    iam.delete_role(RoleName=role)
    cw.delete_alarms(AlarmNames=[alarm])
    ssm.delete_parameter(Name=name)
    assert proxy.stats()["forwarded"] == 7


def raw(endpoint, method, path, body=None, headers=None, chunked=False):
    port = int(endpoint.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=iter([body[:10], body[10:]]) if chunked else body,
                           headers=headers or {}, encode_chunked=chunked)
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


def test_raw_http_chunked_bodies_head_and_upstream_headers_are_relayed(box, proxy):
    form = b"Action=DescribeAvailabilityZones&Version=2016-11-15"
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
               "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/ap-northeast-2/ec2/aws4_request, "
                                "SignedHeaders=host, Signature=0"}
    direct = raw(box.endpoint, "POST", "/", form, headers)
    status, msg, body = raw(proxy.endpoint, "POST", "/", form, headers, chunked=True)
    assert status == direct[0] == 200 and b"ap-northeast-2a" in body
    assert body.replace(b"\n", b"").split(b"<availabilityZoneInfo>")[1] == \
        direct[2].replace(b"\n", b"").split(b"<availabilityZoneInfo>")[1]
    assert len(msg.get_all("Date")) == 1 and msg.get_all("Server") == direct[1].get_all("Server")
    assert msg["Content-Length"] == str(len(body)) and msg["Transfer-Encoding"] is None
    assert proxy.stats()["by_action"] == {"ec2:DescribeAvailabilityZones": {
        "seen": 1, "forwarded": 1, "throttled": 0, "server_errors": 0, "responses_lost": 0}}
    status, msg, body = raw(proxy.endpoint, "HEAD", "/_sandbox/health")  # the length of the body not sent
    assert status == 200 and body == b"" and int(msg["Content-Length"]) > 50


def test_sandbox_endpoints_are_forwarded_without_faults_or_counting(box, proxy):
    proxy.update(throttle=1.0)
    through = SandboxClient(proxy.endpoint)
    assert through.health()["service"] == box.health()["service"]
    assert isinstance(through.requests(), list)
    assert proxy.stats()["requests"] == 0
    status, body = control(proxy.endpoint, "GET", "/_sandbox/no-such-endpoint")
    assert status == 404 and "no sandbox endpoint" in body["error"]


# ---------------------------------------------------------------------------- fault shapes and retries


def standard_mode_view(client, err):
    """(retryable, a throttling error) as botocore's standard retry mode classifies a ClientError."""
    context = standard.RetryContext(
        attempt_number=1, operation_model=client.meta.service_model.operation_model(err.operation_name),
        parsed_response=err.response,
        http_response=types.SimpleNamespace(status_code=err.response["ResponseMetadata"]["HTTPStatusCode"], headers={}))
    detector = standard.ThrottlingErrorDetector(standard.RetryEventAdapter())
    return (standard.StandardRetryConditions(max_attempts=3).is_retryable(context),
            detector.is_throttling_error_from_context(context))


@pytest.mark.parametrize("service", list(CALLS))
def test_throttling_is_parsed_with_the_service_code_and_retried(proxy, backoff, service):
    proxy.update(throttle=1.0)
    client = aws(proxy.endpoint, service, attempts=3, mode="legacy")
    with pytest.raises(ClientError) as err:
        CALLS[service](client)
    response = err.value.response
    assert response["Error"]["Code"] == THROTTLE_CODES[service]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == THROTTLE_STATUS.get(service, 400)
    assert response["ResponseMetadata"]["RetryAttempts"] == 2  # a policy of botocore's _retry.json matched
    assert standard_mode_view(client, err.value) == (True, True)
    assert proxy.stats()["by_action"][ACTIONS[service]] == {"seen": 3, "forwarded": 0, "throttled": 3,
                                                            "server_errors": 0, "responses_lost": 0}
    with pytest.raises(ClientError) as err:
        CALLS[service](aws(proxy.endpoint, service, attempts=3, mode="standard"))
    assert err.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert err.value.response["ResponseMetadata"].get("MaxAttemptsReached") is True
    # Standard mode backs off from 1 s for throttling errors (50 ms otherwise): it saw a throttling error.
    assert len(backoff) == 4
    assert proxy.stats()["throttled"] == 6


@pytest.mark.parametrize("service", list(CALLS))
def test_server_errors_are_5xx_with_the_service_code_and_retried(proxy, backoff, service):
    proxy.update(server_error=1.0)
    for mode in ("legacy", "standard"):
        client = aws(proxy.endpoint, service, attempts=3, mode=mode)
        with pytest.raises(ClientError) as err:
            CALLS[service](client)
        response = err.value.response
        assert response["Error"]["Code"] == SERVER_ERROR_CODES[service]
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 500
        assert response["ResponseMetadata"]["RetryAttempts"] == 2
        assert standard_mode_view(client, err.value) == (True, False)
    assert proxy.stats()["server_errors"] == 6 and proxy.stats()["forwarded"] == 0


def test_without_retries_one_fault_is_one_request(proxy):
    proxy.update(throttle=1.0)
    with pytest.raises(ClientError):
        CALLS["ec2"](aws(proxy.endpoint, "ec2", attempts=1))
    assert proxy.stats()["requests"] == 1


def cbor_cloudwatch(tmp_path, endpoint, attempts=1):
    """A CloudWatch client on Smithy RPC v2 CBOR (botocore 1.44 prefers JSON; older ones, >= 1.36, chose CBOR)."""
    source = Path(botocore.__file__).parent / "data" / "cloudwatch" / "2010-08-01" / "service-2.json.gz"
    model = json.loads(gzip.open(source).read())
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    target = tmp_path / "cloudwatch" / "2010-08-01"
    target.mkdir(parents=True)
    (target / "service-2.json").write_text(json.dumps(model))
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, str(tmp_path))
    return aws(endpoint, "cloudwatch", attempts=attempts, mode="legacy", botocore_session=session)


def test_smithy_rpc_v2_cbor_errors(tmp_path, proxy, backoff):
    cw = cbor_cloudwatch(tmp_path, proxy.endpoint, attempts=2)
    assert cw.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
    proxy.update(throttle=1.0)
    with pytest.raises(ClientError) as err:
        cw.describe_alarms()
    response = err.value.response
    assert response["Error"]["Code"] == "Throttling" and response["Error"]["Message"] == "Rate exceeded"
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["smithy-protocol"] == "rpc-v2-cbor" and headers["content-type"] == "application/cbor"
    assert standard_mode_view(cw, err.value) == (True, True)
    proxy.update(throttle=0.0, server_error=1.0)
    with pytest.raises(cw.exceptions.InternalServiceFault) as err:
        cw.describe_alarms()
    assert err.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert standard_mode_view(cw, err.value) == (True, False)
    assert proxy.stats()["by_action"]["cloudwatch:DescribeAlarms"]["seen"] == 4


def test_error_bodies_are_exactly_the_aws_shapes():
    status, headers, body = aws_error_shapes.fault_response("throttle", "ec2", "ec2", request_id="r-1")
    assert status == 503 and body.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code>'
        '<Message>Request limit exceeded.</Message></Error></Errors><RequestID>r-1</RequestID></Response>')
    status, headers, body = aws_error_shapes.fault_response("server_error", "query", "autoscaling", request_id="r-2")
    assert status == 500 and body.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Receiver</Type>'
        '<Code>InternalFailure</Code>'
        '<Message>The request processing has failed because of an unknown error, exception or failure.</Message>'
        '</Error><RequestId>r-2</RequestId></ErrorResponse>')
    status, headers, body = aws_error_shapes.fault_response("throttle", "json", "ssm", "application/x-amz-json-1.1")
    assert status == 400 and json.loads(body) == {"__type": "ThrottlingException", "message": "Rate exceeded"}
    assert ("x-amzn-ErrorType", "ThrottlingException") in headers
    assert ("Content-Type", "application/x-amz-json-1.1") in headers
    status, headers, body = aws_error_shapes.fault_response("throttle", "smithy-rpc-v2-cbor", "cloudwatch")
    assert status == 400 and body == (b"\xa2" + b"\x66__type" + b"\x6aThrottling" + b"\x67message"
                                      + b"\x6dRate exceeded")
    assert ("x-amzn-query-error", "Throttling;Sender") in headers
    long_text = aws_error_shapes.cbor_text_map({"k": "v" * 300})
    assert long_text[:5] == b"\xa1\x61k\x79\x01" and len(long_text) == 5 + 1 + 300


# ---------------------------------------------------------------------------- randomness, side effects, latency


def outcomes(endpoint, calls=20):
    ec2 = aws(endpoint, "ec2")
    seen = []
    for _ in range(calls):
        try:
            ec2.describe_availability_zones()
            seen.append("ok")
        except ClientError as err:
            seen.append(err.response["Error"]["Code"])
    return seen


def test_a_seed_makes_the_faults_reproducible(box, proxy):
    proxy.update(throttle=0.5, seed=7)
    first = outcomes(proxy.endpoint)
    assert 0 < first.count("RequestLimitExceeded") < 20 and first.count("ok") == proxy.stats()["forwarded"]
    status, settings = control(proxy.endpoint, "POST", "/_proxy/settings", {"seed": 7})
    assert status == 200 and settings["seed"] == 7 and settings["throttle"] == 0.5
    assert control(proxy.endpoint, "DELETE", "/_proxy/stats")[1]["requests"] == 0
    assert outcomes(proxy.endpoint) == first
    with FaultProxy(box.endpoint, throttle=0.5, seed=7) as other:
        assert outcomes(other.endpoint) == first
        assert other.stats()["throttled"] == proxy.stats()["throttled"] == first.count("RequestLimitExceeded")
    with FaultProxy(box.endpoint, throttle=0.5, seed=8) as other:
        assert outcomes(other.endpoint) != first


def test_standard_retries_ride_out_injected_faults(proxy, backoff):
    proxy.update(throttle=0.2, server_error=0.05, seed=7)
    ec2 = aws(proxy.endpoint, "ec2", attempts=10)
    for _ in range(50):
        ec2.describe_instances(MaxResults=5)
    stats = proxy.stats()
    assert stats["forwarded"] == 50
    assert stats["throttled"] > 0 and stats["server_errors"] > 0
    assert stats["requests"] == 50 + stats["throttled"] + stats["server_errors"]
    assert len(backoff) == stats["throttled"] + stats["server_errors"]


def test_a_faulted_request_never_reaches_the_sandbox(box, proxy, backoff):
    proxy.update(throttle=1.0)
    name = unique("faultproxy-sg")
    before = len(box.requests())
    with pytest.raises(ClientError) as err:
        aws(proxy.endpoint, "ec2", attempts=3, mode="legacy").create_security_group(
            GroupName=name, Description="never created")
    assert err.value.response["Error"]["Code"] == "RequestLimitExceeded"
    assert proxy.stats()["by_action"]["ec2:CreateSecurityGroup"]["throttled"] == 3
    assert not [e for e in box.requests()[before:] if e["action"] == "CreateSecurityGroup"]
    ec2 = aws(box.endpoint, "ec2")
    assert ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [name]}])["SecurityGroups"] == []
    proxy.update(throttle=0.0)
    group = aws(proxy.endpoint, "ec2").create_security_group(GroupName=name, Description="created")["GroupId"]
    assert [e["action"] for e in box.requests()[before:]].count("CreateSecurityGroup") == 1
    ec2.delete_security_group(GroupId=group)


def test_only_the_listed_actions_are_faulted(proxy):
    proxy.update(throttle=1.0, actions=["ec2:Describe*", "ListRoles"])
    with pytest.raises(ClientError):
        CALLS["ec2"](aws(proxy.endpoint, "ec2"))
    with pytest.raises(ClientError):
        CALLS["iam"](aws(proxy.endpoint, "iam"))
    CALLS["autoscaling"](aws(proxy.endpoint, "autoscaling"))
    assert proxy.stats()["throttled"] == 2 and proxy.stats()["forwarded"] == 1


def test_latency_is_added_to_every_call(proxy):
    ec2, calls = aws(proxy.endpoint, "ec2"), 4
    ec2.describe_availability_zones()  # warm the connection

    def elapsed():
        start = time.monotonic()
        for _ in range(calls):
            ec2.describe_availability_zones()
        return time.monotonic() - start

    baseline = elapsed()
    proxy.update(latency_ms=200)
    slowed = elapsed()
    assert slowed >= calls * 0.2 and slowed - baseline >= calls * 0.2 * 0.8
    proxy.update(latency_ms=0, jitter_ms=100)
    assert elapsed() < calls * 0.1 + baseline + 1.0


# ---------------------------------------------------------------------------- settings, control, CLI


@pytest.mark.parametrize("upstream", ["http://10.0.0.1:4599", "https://127.0.0.1:4599", "http://example.com:4599",
                                      "http://127.0.0.1", "http://127.0.0.1:4599/prefix", "http://user:pw@127.0.0.1:1",
                                      "127.0.0.1:4599", "http://127.0.0.1:notaport"])
def test_only_a_loopback_upstream_is_accepted(upstream):
    with pytest.raises(ValueError, match="only forwards to the local sandbox"):
        FaultProxy(upstream)


def test_loopback_upstreams_are_accepted():
    assert FaultProxy("http://localhost:4599/").upstream == "http://localhost:4599"
    assert FaultProxy("http://127.0.0.1:4599").upstream == "http://127.0.0.1:4599"


@pytest.mark.parametrize("settings, message", [
    ({"throttle": 1.5}, "throttle must be a probability between 0 and 1"),
    ({"server_error": -0.1}, "server_error must be a probability between 0 and 1"),
    ({"throttle": "0.2"}, "throttle must be a probability"),
    ({"throttle": 0.7, "server_error": 0.4}, r"throttle \+ server_error must be at most 1"),
    ({"latency_ms": -1}, "latency_ms must be a number of milliseconds >= 0"),
    ({"jitter_ms": float("nan")}, "jitter_ms must be a number of milliseconds >= 0"),
    ({"seed": 1.5}, "seed must be an integer"),
    ({"actions": [""]}, "actions must be a list of patterns"),
])
def test_settings_are_validated(settings, message):
    with pytest.raises(ValueError, match=message):
        FaultProxy("http://127.0.0.1:4599", **settings)


def test_settings_endpoint_validates_and_stats_endpoint_resets(proxy, backoff):
    status, body = control(proxy.endpoint, "POST", "/_proxy/settings", {"throttle": 2})
    assert status == 400 and "throttle must be a probability" in body["error"]
    status, body = control(proxy.endpoint, "POST", "/_proxy/settings", {"throttel": 0.1})
    assert status == 400 and "unknown settings throttel" in body["error"]
    status, body = control(proxy.endpoint, "POST", "/_proxy/settings", {"throttle": 0.25, "latency_ms": 5})
    assert status == 200 and body["throttle"] == 0.25 and body["latency_ms"] == 5.0 and body["seed"] == 1
    assert control(proxy.endpoint, "GET", "/_proxy/settings")[1] == body
    CALLS["ec2"](aws(proxy.endpoint, "ec2", attempts=5))
    status, stats = control(proxy.endpoint, "GET", "/_proxy/stats")
    assert status == 200 and stats["forwarded"] == 1 and stats["settings"]["throttle"] == 0.25
    assert set(stats) == {"requests", "forwarded", "throttled", "server_errors", "upstream_errors", "responses_lost",
                          "by_action", "settings"}
    status, stats = control(proxy.endpoint, "DELETE", "/_proxy/stats")
    assert status == 200 and stats["requests"] == 0 and stats["by_action"] == {}
    assert control(proxy.endpoint, "GET", "/_proxy/health")[1]["upstream"] == proxy.upstream
    assert control(proxy.endpoint, "GET", "/_proxy/nothing")[0] == 404


def test_an_unreachable_upstream_is_a_502(box):
    from sandbox_harness import free_port

    with FaultProxy(f"http://127.0.0.1:{free_port()}") as lonely:
        with pytest.raises(ClientError) as err:
            CALLS["ec2"](aws(lonely.endpoint, "ec2"))
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 502
        assert err.value.response["Error"]["Code"] == "502"
        assert lonely.stats()["upstream_errors"] == 1


def test_stop_closes_the_port_and_open_connections(box):
    running = FaultProxy(box.endpoint)
    ec2 = aws(running.start(), "ec2")
    CALLS["ec2"](ec2)
    running.stop()
    running.stop()
    with pytest.raises((botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)):
        CALLS["ec2"](ec2)


def test_command_line_runs_until_sigterm(box):
    env = dict(os.environ, PYTHONPATH=str(SANDBOX))
    process = subprocess.Popen(
        [sys.executable, "-m", "scaleout_sandbox.faultproxy", "--listen-port", "0", "--upstream", box.endpoint,
         "--throttle", "1", "--seed", "7", "--latency-ms", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+) -> " + re.escape(box.endpoint), line)
        assert match, line
        with pytest.raises(ClientError) as err:
            CALLS["autoscaling"](aws(match.group(1), "autoscaling"))
        assert err.value.response["Error"]["Code"] == "Throttling"
        assert control(match.group(1), "GET", "/_proxy/stats")[1]["settings"]["seed"] == 7
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_command_line_refuses_a_remote_upstream():
    result = subprocess.run([sys.executable, "-m", "scaleout_sandbox.faultproxy", "--upstream", "http://10.1.2.3:80"],
                            capture_output=True, text=True, check=False, timeout=30,
                            env=dict(os.environ, PYTHONPATH=str(SANDBOX)))
    assert result.returncode == 2 and "only forwards to the local sandbox" in result.stderr


@pytest.mark.parametrize("mode", ["reset", "server_error"])
def test_a_lost_response_is_done_upstream_and_the_retry_sees_it(box, mode):
    """lose_responses: the call reaches the sandbox (the parameter exists), the client never hears of
    it, and botocore's retry of the same request meets what the first one did."""
    with FaultProxy(box.endpoint, lose_responses=["ssm:PutParameter"], lose_mode=mode, lose_count=1) as lossy:
        ssm = aws(lossy.endpoint, "ssm", attempts=3)
        name = f"/faultproxy/{unique('lost')}"
        with pytest.raises(ClientError) as refused:
            ssm.put_parameter(Name=name, Value="v", Type="String", Overwrite=False)
        # The retry found the parameter that the lost call created.
        assert refused.value.response["Error"]["Code"] == "ParameterAlreadyExists"
        assert aws(box.endpoint, "ssm").get_parameter(Name=name)["Parameter"]["Value"] == "v"
        stats = lossy.stats()
        assert stats["responses_lost"] == 1 and stats["by_action"]["ssm:PutParameter"]["forwarded"] == 2
        # Counted down: the next call is answered.
        ssm.put_parameter(Name=name, Value="w", Type="String", Overwrite=True)
        assert lossy.stats()["responses_lost"] == 1


def test_lose_settings_are_checked():
    from scaleout_sandbox.faultproxy import check_settings

    with pytest.raises(ValueError, match="lose_mode"):
        check_settings({"lose_mode": "drop"})
    with pytest.raises(ValueError, match="lose_count"):
        check_settings({"lose_count": -1})
    assert check_settings({"lose_responses": "ec2:CreateImage,RunInstances"})["lose_responses"] == [
        "ec2:CreateImage", "RunInstances"]
