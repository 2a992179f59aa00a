"""The simulated clock: its arithmetic, and that the server tells simulated time everywhere."""

import datetime as dt
import time
from email.utils import parsedate_to_datetime

import pytest

from sandbox_harness import SHARED_SECONDS_PER_MINUTE, run_instance, sim_epoch
from scaleout_sandbox.core import clock


def test_sim_clock_runs_factor_times_faster_from_real_now():
    sim = clock.SimClock(factor=600)
    assert abs(sim.sim_start - time.time()) < 1
    before = sim.now()
    time.sleep(0.05)
    assert 20 <= sim.now() - before <= 120
    assert isinstance(sim.utcnow(), dt.datetime) and sim.utcnow().tzinfo is None


def test_factor_from_environment():
    assert clock.factor_from_env({}) == 60
    assert clock.factor_from_env({clock.SECONDS_PER_MINUTE_ENV: "0.5"}) == 120
    with pytest.raises(ValueError):
        clock.factor_from_env({clock.SECONDS_PER_MINUTE_ENV: "fast"})
    with pytest.raises(ValueError):
        clock.factor_from_env({clock.SECONDS_PER_MINUTE_ENV: "0"})


def test_sim_datetime_accepts_ordinary_datetimes():
    assert isinstance(dt.datetime(2020, 1, 1), clock.SimDatetime)
    assert issubclass(dt.datetime, clock.SimDatetime)


def test_health_and_clock_are_labelled_simulated(box):
    assert box.health()["simulated"] is True
    clock = box.clock()
    assert clock["simulated"] is True and clock["factor"] == 60 / float(SHARED_SECONDS_PER_MINUTE)
    assert clock["simulated_epoch"] > clock["real_epoch"]  # sim time started at real time and runs faster
    assert "moto.ec2.models.instances" in clock["patched"]["utcnow"]


def test_http_date_header_and_moto_timestamps_are_simulated_time(box):
    ec2 = box.client("ec2")
    response = ec2.describe_availability_zones()
    date = parsedate_to_datetime(response["ResponseMetadata"]["HTTPHeaders"]["date"]).timestamp()
    now = box.sim_now()
    slack = 1.5 * box.factor()  # 1.5 real seconds (the Date header has whole seconds)
    assert abs(date - now) < slack
    assert now - time.time() > 60  # and it is not the real clock
    instance = run_instance(box)
    assert abs(sim_epoch(instance["LaunchTime"]) - box.sim_now()) < slack
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
