"""The dynamic inventory example, inventories/aws_ec2/stack_instances.aws_ec2.yml, without AWS:
its keys are options that amazon.aws.aws_ec2 documents, and `ansible-inventory --list` (through the
repository's ansible.cfg, as a user runs it) against a plain moto server of its own on 127.0.0.1
lists the running web instances of the stack, and nothing else, in the stack and zone groups, with
the SSM connection variables."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "inventories" / "aws_ec2" / "stack_instances.aws_ec2.yml"
BIN = Path(sys.executable).parent
REGION = "eu-west-1"
STACK = "prod-web"


def stack_tags(stack, **extra):
    tags = {"scaleout:stack": stack, "scaleout:managed-by": "scaleout.webtier", "Name": stack + "-web"}
    tags.update(extra)
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def test_the_file_name_selects_the_plugin_and_stays_out_of_the_playbook_inventory():
    assert CONFIG.name.endswith(".aws_ec2.yml")
    # `-i inventories/aws` (the stacks, converged from the controller) must never call the EC2 API.
    assert not list((ROOT / "inventories" / "aws").rglob("*aws_ec2.y*ml"))


def test_every_key_is_a_documented_option_of_the_plugin():
    config = yaml.safe_load(CONFIG.read_text())
    assert config["plugin"] == "amazon.aws.aws_ec2"
    doc = json.loads(
        subprocess.run(
            [str(BIN / "ansible-doc"), "-t", "inventory", "--json", "amazon.aws.aws_ec2"],
            check=True, capture_output=True, text=True, env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")},
        ).stdout
    )["amazon.aws.aws_ec2"]["doc"]
    options = set(doc["options"]) | {"plugin"}  # read by the plugin loader, not an option here
    for option in doc["options"].values():
        options.update(option.get("aliases", []))
    assert set(config) - options == set()
    # Jinja in compose and keyed_groups: expressions, so the literal connection name is quoted.
    assert config["compose"]["ansible_connection"] == "'amazon.aws.aws_ssm'"


def plain(value):
    """ansible-inventory --list marks templated (unsafe) strings as {"__ansible_unsafe": value}."""
    if isinstance(value, dict) and set(value) == {"__ansible_unsafe"}:
        return value["__ansible_unsafe"]
    return value


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory):
    """A plain moto server in a process of its own (not the sandbox, whose patches stay out)."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(endpoint + "/moto-api/data.json", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start: " + log.read_text())
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_ansible_inventory_lists_the_running_web_instances_of_the_stack(moto_endpoint, tmp_path):
    ec2 = boto3.client(
        "ec2", region_name=REGION, endpoint_url=moto_endpoint, aws_access_key_id="testing", aws_secret_access_key="testing"
    )

    def launch(zone, tags):
        reservation = ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro",
            Placement={"AvailabilityZone": zone}, TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
        )
        return reservation["Instances"][0]["InstanceId"]

    web_a = launch(REGION + "a", stack_tags(STACK, **{"aws:autoscaling:groupName": STACK + "-asg"}))
    web_b = launch(REGION + "b", stack_tags(STACK))
    launch(REGION + "a", stack_tags(STACK, **{"scaleout:role": "bake-temporary", "Name": STACK + "-bake"}))
    launch(REGION + "a", stack_tags("other-stack"))
    launch(REGION + "b", [{"Key": "scaleout:stack", "Value": STACK}])  # not managed by the collection
    stopped = launch(REGION + "b", stack_tags(STACK))
    ec2.stop_instances(InstanceIds=[stopped])

    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "ANSIBLE_"))
    }
    env.update(
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path),
        AWS_URL=moto_endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        NO_COLOR="1",
    )
    result = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(CONFIG), "--list"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    inventory = json.loads(result.stdout)
    hostvars = inventory["_meta"]["hostvars"]

    assert sorted(hostvars) == sorted([web_a, web_b])
    assert sorted(inventory["stack_prod_web"]["hosts"]) == sorted([web_a, web_b])
    assert inventory["az_eu_west_1a"]["hosts"] == [web_a]
    assert inventory["az_eu_west_1b"]["hosts"] == [web_b]
    # Never the playbooks' group of stacks.
    assert "webtier_stacks" not in inventory
    for instance_id in (web_a, web_b):
        host = {key: plain(value) for key, value in hostvars[instance_id].items()}
        assert host["ansible_connection"] == "amazon.aws.aws_ssm"
        assert host["ansible_host"] == instance_id
        assert host["ansible_aws_ssm_instance_id"] == instance_id
        assert host["ansible_aws_ssm_region"] == REGION
        assert host["ec2_private_ip_address"]
        assert plain(host["ec2_tags"]["scaleout:stack"]) == STACK
    # The reserved name `tags` is avoided (hostvars_prefix); the one deprecation amazon.aws's plugin
    # itself causes under ansible-core 2.19 (disable_lookups) is not this file's.
    assert "reserved name" not in result.stderr, result.stderr
