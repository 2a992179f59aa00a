"""Configuration errors stop the server before it answers, and `up` says why."""

import pytest

from sandbox_harness import free_port
from scaleout_sandbox import ctl


@pytest.mark.parametrize("variable,value,message", [
    ("SCALEOUT_SANDBOX_SECONDS_PER_MINUTE", "fast", "is not a number of seconds"),
    ("SCALEOUT_SANDBOX_DELAYS", "{bad", "must be a JSON object"),
    ("SCALEOUT_SANDBOX_DELAYS", '{"warp": 1}', "unknown delay 'warp'"),
    ("SCALEOUT_SANDBOX_IAM_ENFORCE", "maybe", "must be 1 or 0"),
])
def test_bad_configuration_is_refused_by_up(tmp_path, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    box = ctl.Sandbox(port=free_port(), directory=tmp_path)
    try:
        with pytest.raises(ctl.SandboxError, match=message):
            box.up()
    finally:
        box.down()
