"""The registry of patches (core/registry.py) is the only list of changes to moto, and complete:
applying it changes exactly the attributes it names (checked in a process of its own, so that moto
stays unpatched here), and a target moto does not have fails loudly."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scaleout_sandbox import services
from scaleout_sandbox.core import registry

services.load_patches()

SANDBOX = Path(__file__).resolve().parents[2]

# Snapshot every attribute of every moto module and of every class a moto module defines, apply
# every group of patches, snapshot again, and print what changed (by identity) and what the
# registry names.
PROBE = """
import inspect, json, sys
sys.path.insert(0, sys.argv[1])
from moto.backends import get_backend
from scaleout_sandbox import services
from scaleout_sandbox.core import registry
from scaleout_sandbox.core.clock import SimClock
from scaleout_sandbox.core.engine import Engine
from scaleout_sandbox.faults import Faults
from scaleout_sandbox.server import PREWARMED_SERVICES
from scaleout_sandbox.services.iam import enforcement_patches

for service in PREWARMED_SERVICES:
    get_backend(service)
services.load_patches()
for entry in registry.entries():
    entry.holder()
engine = Engine(SimClock(60), Faults())
services.attach(engine)


def snapshot():
    seen = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "moto" or name.startswith("moto.")):
            continue
        for attribute, value in list(vars(module).items()):
            seen[(name, None, attribute)] = value
            if inspect.isclass(value) and value.__module__ == name:
                for class_attribute, class_value in list(vars(value).items()):
                    seen[(name, value.__name__, class_attribute)] = class_value
    return seen


before = snapshot()
registry.apply(engine)
enforcement_patches.switch_on(engine)
after = snapshot()
modules = {key[0] for key in before}
changed = sorted(".".join(part for part in key if part) for key in set(before) | set(after)
                 if key[0] in modules and (key not in before or key not in after or before[key] is not after[key]))
print(json.dumps({"changed": changed, "registered": sorted(p.name for p in registry.entries())}))
"""


@pytest.fixture(scope="module")
def probe():
    result = subprocess.run([sys.executable, "-c", PROBE, str(SANDBOX)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_attribute_apply_changes_is_registered(probe):
    assert sorted(set(probe["changed"]) - set(probe["registered"])) == []


def test_every_registered_patch_changes_something(probe):
    assert sorted(set(probe["registered"]) - set(probe["changed"])) == []


def test_patches_are_declared_in_patch_modules():
    assert registry.entries(), "services.load_patches() found no patch"
    for entry in registry.entries():
        assert entry.build.__module__.endswith("_patches"), entry.name


def test_a_target_moto_does_not_have_fails_loudly():
    gone = registry.Patch("moto.autoscaling.models", "FakeAutoScalingGroup", "no_such_method", None, False, registry.DEFAULT)
    with pytest.raises(RuntimeError, match="moto changed: .*no_such_method is gone"):
        gone.original()
    no_class = registry.Patch("moto.autoscaling.models", "NoSuchClass", "x", None, False, registry.DEFAULT)
    with pytest.raises(RuntimeError, match="moto changed"):
        no_class.original()
    implemented = registry.Patch("moto.autoscaling.responses", "AutoScalingResponse", "create_auto_scaling_group",
                                 None, True, registry.DEFAULT)
    with pytest.raises(RuntimeError, match="exists now"):
        implemented.original()


def test_a_target_cannot_be_patched_twice():
    entry = registry.entries()[0]
    with pytest.raises(RuntimeError, match="patched twice"):
        registry.patch(entry.module, entry.owner, entry.attribute)(lambda engine, original: original)
