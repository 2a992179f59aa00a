"""A small client for tests: the sandbox's own endpoints, and boto3 clients pointed at it.

    box = SandboxClient("http://127.0.0.1:4599")
    ec2 = box.client("ec2")                      # region ap-northeast-2, the sandbox's admin key
    box.set_faults({"unoffered": [{"zone": "ap-northeast-2a", "instance_type": "t3.micro"}]})
    box.clear_requests(); ...; calls = box.requests()
    box.sleep_sim(300)                           # wait five simulated minutes
    user = box.create_user("deployer", policy)   # IAM user + managed policy + access key
    ec2 = box.client("ec2", credentials=user)    # signed as that user (checked when IAM is enforced)

Nothing in roles/ or plugins/ may use this module: the collection only speaks the AWS APIs.
"""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Callable, Optional

from .services.iam.enforcement import ADMIN_ACCESS_KEY_ID, ADMIN_SECRET_ACCESS_KEY

DEFAULT_REGION = "ap-northeast-2"


class SandboxClient:
    def __init__(self, endpoint: str, region: str = DEFAULT_REGION):
        if not endpoint.startswith("http://127.0.0.1:"):
            raise ValueError("the sandbox only listens on http://127.0.0.1")
        self.endpoint = endpoint.rstrip("/")
        self.region = region

    # ------------------------------------------------------------ /_sandbox/ endpoints

    def _call(self, method: str, path: str, document=None):
        data = None if document is None else json.dumps(document).encode()
        request = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read().decode())
        except urllib.error.HTTPError as err:
            raise SandboxRequestError(err.code, err.read().decode()) from None

    def health(self) -> dict:
        return self._call("GET", "/_sandbox/health")

    def clock(self) -> dict:
        return self._call("GET", "/_sandbox/clock")

    def state(self) -> dict:
        return self._call("GET", "/_sandbox/state")

    def faults(self) -> dict:
        return self._call("GET", "/_sandbox/faults")

    def set_faults(self, document: dict) -> dict:
        return self._call("POST", "/_sandbox/faults", document)

    def clear_faults(self) -> dict:
        return self._call("DELETE", "/_sandbox/faults")

    def requests(self) -> list:
        return self._call("GET", "/_sandbox/requests")

    def clear_requests(self) -> dict:
        return self._call("DELETE", "/_sandbox/requests")

    def delays(self) -> dict:
        return self._call("GET", "/_sandbox/delays")

    def set_delays(self, document: dict) -> dict:
        return self._call("POST", "/_sandbox/delays", document)

    # ------------------------------------------------------------ time

    def sim_now(self) -> float:
        return float(self.clock()["simulated_epoch"])

    def factor(self) -> float:
        return float(self.clock()["factor"])

    def sleep_sim(self, seconds: float) -> None:
        """Sleep (real time) for `seconds` of simulated time."""
        time.sleep(seconds / self.factor())

    def wait_for(self, predicate: Callable[[], object], sim_timeout: float, what: str, poll_real: float = 0.1):
        """Poll `predicate` until it returns a truthy value or `sim_timeout` simulated seconds pass.

        A predicate that raises an AWS "not found" error (code ending in NotFound or
        NotFoundException) counts as not yet: EC2 describes do not see a resource created moments ago
        (describe_after_create_s), and a careful client waits for them as it waits for anything."""
        deadline = self.sim_now() + sim_timeout
        last = None
        while True:
            try:
                last = predicate()
            except Exception as err:  # noqa: BLE001 - only botocore's ClientError carries a response
                code = (getattr(err, "response", None) or {}).get("Error", {}).get("Code", "")
                if not code.endswith(("NotFound", "NotFoundException")):
                    raise
                last = f"not found yet ({code})"
                if self.sim_now() > deadline:
                    raise
                time.sleep(poll_real)
                continue
            if last:
                return last
            if self.sim_now() > deadline:
                raise TimeoutError(f"waited {sim_timeout:g} simulated seconds for {what}; last value: {last!r}")
            time.sleep(poll_real)

    # ------------------------------------------------------------ AWS clients

    def client(self, service: str, region: Optional[str] = None, credentials: Optional[dict] = None):
        """A boto3 client for the sandbox, signed with `credentials` ({"access_key_id",
        "secret_access_key"}, e.g. what create_user returns), by default the sandbox's admin key
        (never checked, also when IAM enforcement is on)."""
        import boto3
        from botocore.config import Config

        credentials = credentials or {"access_key_id": ADMIN_ACCESS_KEY_ID, "secret_access_key": ADMIN_SECRET_ACCESS_KEY}
        return boto3.client(
            service, region_name=region or self.region, endpoint_url=self.endpoint,
            aws_access_key_id=credentials["access_key_id"], aws_secret_access_key=credentials["secret_access_key"],
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )

    def create_user(self, name: str, policy_documents, policy_name: Optional[str] = None) -> dict:
        """An IAM user holding only `policy_documents` (one document or a list; each a dict or JSON
        text), as customer managed policies attached to it, and an access key: {"user_name", "arn",
        "policy_arns", "access_key_id", "secret_access_key"}. Made with the admin key through the
        IAM API, so moto validates each document as AWS would."""
        iam = self.client("iam")
        documents = policy_documents if isinstance(policy_documents, list) else [policy_documents]
        user = iam.create_user(UserName=name)["User"]
        policy_arns = []
        for number, document in enumerate(documents):
            text = document if isinstance(document, str) else json.dumps(document)
            suffix = "" if number == 0 else f"-{number + 1}"
            policy = iam.create_policy(PolicyName=f"{policy_name or name + '-policy'}{suffix}", PolicyDocument=text)["Policy"]
            iam.attach_user_policy(UserName=name, PolicyArn=policy["Arn"])
            policy_arns.append(policy["Arn"])
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {"user_name": name, "arn": user["Arn"], "policy_arns": policy_arns,
                "access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}


class SandboxRequestError(Exception):
    def __init__(self, status: int, body: str):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body
