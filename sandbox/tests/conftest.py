"""Fixtures of the sandbox tests (helpers: sandbox_harness.py)."""

import pytest

from sandbox_harness import SHARED_SECONDS_PER_MINUTE, Tier, start_server


@pytest.fixture(scope="session")
def box(tmp_path_factory):
    """One real sandbox server for the session, on a free loopback port, state in a temp dir.

    Tests share it: each test names its resources uniquely and deletes its groups when done."""
    client = start_server(tmp_path_factory.mktemp("sandbox-state"), SHARED_SECONDS_PER_MINUTE)
    yield client
    client.server.down()


@pytest.fixture
def fresh(box):
    """The shared sandbox with no faults and default delays, before and after the test."""
    box.clear_faults()
    box.set_delays(box.defaults)
    yield box
    box.clear_faults()
    box.set_delays(box.defaults)


@pytest.fixture
def tier(fresh):
    created = []

    def make(**kwargs):
        t = Tier(fresh, **kwargs)
        created.append(t)
        return t

    yield make
    for t in created:
        t.delete()
