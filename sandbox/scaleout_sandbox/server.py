"""The sandbox process: moto's AWS API server on loopback, plus the sandbox's own endpoints.

Everything the collection calls goes through the ordinary AWS APIs served by moto, extended by
the sandbox (the services' ``*_patches.py``, core/registry.py) and driven by their control loops
(services/, run by core/engine.py) on a simulated clock (core/clock.py).
The sandbox adds a small `/_sandbox/` namespace that only tests and the control script use. It is
not an AWS API and nothing in roles/ or plugins/ calls it:

    GET  /_sandbox/health     identity, simulated: true
    GET  /_sandbox/clock      real and simulated now, the factor, what moto time sources are patched
    GET|POST|DELETE /_sandbox/faults     fault hooks (faults.py)
    GET|DELETE      /_sandbox/requests   the AWS API calls served (service, action, mutating)
    GET|POST        /_sandbox/delays     the simulated lifecycle delays
    GET  /_sandbox/state      a summary of the simulation

IAM enforcement (opt-in, services/iam/enforcement.py): with SCALEOUT_SANDBOX_IAM_ENFORCE=1 in its environment the
server authenticates and authorises every AWS request against the sandbox's IAM. It is switched on
(enforcement_patches.switch_on) before the first AWS request is served - requests wait until the
runtime is ready - and stays on for the life of the process; /_sandbox/health says
"iam_enforced": true. Bootstrap: with the admin key (enforcement.ADMIN_ACCESS_KEY_ID /
ADMIN_SECRET_ACCESS_KEY, never checked) create an IAM user, attach the policy to it and create its
access key through the ordinary IAM API (SandboxClient.create_user does this), then run as that user.
The /_sandbox/ endpoints need no credentials. POST /moto-api/reset-auth (moto's own switch) is
refused while enforcement is on. The request log records the status of every call (403 for a
refused one) and the access key id that signed it.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import sys
import threading
import time

LOOPBACK = "127.0.0.1"
HEALTH_PATH = "/_sandbox/health"
SERVICE_NAME = "scaleout-webtier-sandbox"
# Imported at start-up so that their objects tell simulated time from the first request on.
PREWARMED_SERVICES = ("ec2", "autoscaling", "cloudwatch", "ssm", "elbv2", "elb", "sts", "iam", "kms")


def _json(start_response, status: str, payload) -> list:
    body = json.dumps(payload, default=str, indent=None).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class SandboxApp:
    """WSGI wrapper: answers the sandbox's own paths, hands everything else to moto under the state lock.

    The health endpoint answers at once; everything else waits until the runtime (moto on the
    simulated clock, patched) is ready, so that no AWS call is ever served by unpatched moto."""

    READY_TIMEOUT_S = 120.0

    def __init__(self, moto_app, identity: dict, runtime: "Runtime | None" = None):
        self._moto_app = moto_app
        self._identity = identity
        self._runtime = runtime
        self.ready = threading.Event()
        self.failed: "str | None" = None
        if runtime is not None or moto_app is not None:
            self.ready.set()

    def attach(self, moto_app, runtime: "Runtime") -> None:
        self._moto_app = moto_app
        self._runtime = runtime
        self.ready.set()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or ""
        if path == HEALTH_PATH:
            return _json(start_response, "200 OK", dict(self._identity, uptime_s=round(time.time() - self._identity["started"], 3)))
        if not self.ready.wait(self.READY_TIMEOUT_S) or self.failed:
            return _json(start_response, "503 Service Unavailable", {"error": self.failed or "the sandbox is still starting"})
        if self._runtime is None:
            return self._moto_app(environ, start_response)
        if path.startswith("/_sandbox/"):
            return self._runtime.sandbox_endpoint(path, environ, start_response)
        return self._runtime.serve_aws(self._moto_app, environ, start_response)


class Runtime:
    """The clock, the engine, the faults and the request log of one server process."""

    def __init__(self, clock, engine, faults, log, iam_enforced: bool = False):
        self.clock = clock
        self.engine = engine
        self.faults = faults
        self.log = log
        self.iam_enforced = iam_enforced

    # ---------------------------------------------------------------- AWS requests

    def serve_aws(self, moto_app, environ, start_response):
        from . import requestlog
        from .core import clock as clock_module

        if self.iam_enforced and (environ.get("PATH_INFO") or "").startswith("/moto-api/reset-auth"):
            return _json(start_response, "403 Forbidden",
                         {"error": "IAM enforcement is on for the life of this sandbox; /moto-api/reset-auth is refused"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        try:
            call = requestlog.parse(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/"),
                                    environ.get("QUERY_STRING", ""), headers, body)
        except Exception:  # noqa: BLE001 - never fail a request because the log could not parse it
            call = {"service": None, "region": None, "action": None}
        captured = {}

        def capture(status, response_headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = [(k, v) for k, v in response_headers if k.lower() != "date"]
            return lambda data: None

        with self.engine.lock:
            clock_module.sweep()
            now = self.clock.now()
            chunks = moto_app(environ, capture)
            try:
                payload = b"".join(chunks)
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
            clock_module.sweep()
            self.engine.step()
        status = captured.get("status", "500 INTERNAL SERVER ERROR")
        entry = {
            "time": clock_module.iso(now), "real_time": clock_module.iso(time.time()),
            "service": call["service"], "region": call["region"], "action": call["action"],
            "mutating": requestlog.is_mutating(call["action"]), "status": int(status.split()[0]),
            "access_key_id": requestlog.access_key_id(headers),
        }
        if self.iam_enforced:
            from .services.iam.enforcement import take_denial

            denial = take_denial()  # the refused check: action, resource, decision, statement, reason
            if denial:
                entry["denial"] = denial
        self.log.record(entry)
        # No Date header here: the request handler writes it, in simulated time (QuietHandler).
        start_response(status, list(captured.get("headers", [])))
        return [payload]

    # ---------------------------------------------------------------- /_sandbox/

    def sandbox_endpoint(self, path, environ, start_response):
        from .core import clock as clock_module
        from .faults import FaultError

        method = environ.get("REQUEST_METHOD", "GET")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            document = json.loads(raw.decode() or "null") if raw else None
        except ValueError:
            return _json(start_response, "400 Bad Request", {"error": "the body must be JSON"})
        if path == "/_sandbox/clock" and method == "GET":
            return _json(start_response, "200 OK", dict(self.clock.describe(), patched=clock_module.patch_report()))
        if path == "/_sandbox/faults":
            try:
                if method == "GET":
                    return _json(start_response, "200 OK", self.faults.get())
                if method in ("POST", "PUT"):
                    with self.engine.lock:
                        return _json(start_response, "200 OK", self.faults.update(document))
                if method == "DELETE":
                    with self.engine.lock:
                        return _json(start_response, "200 OK", self.faults.clear())
            except FaultError as err:
                return _json(start_response, "400 Bad Request", {"error": str(err)})
        if path == "/_sandbox/requests":
            if method == "GET":
                return _json(start_response, "200 OK", self.log.entries())
            if method == "DELETE":
                return _json(start_response, "200 OK", {"cleared": self.log.clear()})
        if path == "/_sandbox/delays":
            if method == "GET":
                return _json(start_response, "200 OK", self.engine.delays.as_dict())
            if method in ("POST", "PUT"):
                try:
                    with self.engine.lock:
                        self.engine.delays.update(document)
                except ValueError as err:
                    return _json(start_response, "400 Bad Request", {"error": str(err)})
                return _json(start_response, "200 OK", self.engine.delays.as_dict())
        if path == "/_sandbox/state" and method == "GET":
            return _json(start_response, "200 OK", dict(self.engine.describe(), simulated=True))
        return _json(start_response, "404 Not Found", {"error": f"no sandbox endpoint {method} {path}"})


def build_runtime(iam_enforced: bool = False):
    """Import moto, put it on the simulated clock, apply the patches, start nothing yet.

    With `iam_enforced`, every AWS request served from now on is authenticated and authorised."""
    from moto.backends import get_backend
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from . import services
    from .core import clock as clock_module
    from .core import registry
    from .core.delays import Delays
    from .core.engine import Engine
    from .faults import Faults
    from .requestlog import RequestLog
    from .services.iam import enforcement_patches

    sim_clock = clock_module.SimClock(clock_module.factor_from_env())
    clock_module.install(sim_clock)
    dispatcher = DomainDispatcherApplication(create_backend_app)
    for service in PREWARMED_SERVICES:
        get_backend(service)
        dispatcher.app_instances.setdefault(service, create_backend_app(service))
    clock_module.sweep()
    faults = Faults()
    engine = Engine(sim_clock, faults, Delays.from_env())
    services.attach(engine)
    services.load_patches()
    registry.apply(engine)
    # The EC2 backend the prewarm built has moto's default VPC: rebuild it with the patches (a default
    # VPC with its internet gateway route, services/ec2/account_patches.py).
    from moto.ec2.models import ec2_backends

    ec2_backends.reset()
    if iam_enforced:
        enforcement_patches.switch_on(engine)
    return dispatcher, Runtime(sim_clock, engine, faults, RequestLog(), iam_enforced=iam_enforced)


def build_app(identity: dict, iam_enforced: bool = False):
    dispatcher, runtime = build_runtime(iam_enforced)
    return SandboxApp(dispatcher, identity, runtime), runtime


def serve(port: int) -> None:
    from .services.iam.managed_policies import load_managed_policies

    load_managed_policies()
    import moto
    from werkzeug.serving import make_server

    from .core.clock import factor_from_env
    from .core.delays import Delays
    from .services.iam.enforcement import ADMIN_ACCESS_KEY_ID, enforced_from_env

    factor_from_env()  # configuration errors stop the process before it answers (ctl shows them)
    Delays.from_env()
    iam_enforced = enforced_from_env()

    identity = {
        "service": SERVICE_NAME,
        "pid": os.getpid(),
        "port": port,
        "started": time.time(),
        "moto_version": moto.__version__,
        "simulated": True,
        "iam_enforced": iam_enforced,
    }
    if iam_enforced:
        identity["iam_admin_access_key_id"] = ADMIN_ACCESS_KEY_ID
    app = SandboxApp(None, identity)
    app.ready.clear()
    server = make_server(LOOPBACK, port, app, threaded=True, request_handler=_quiet_handler())
    runtime_box: dict = {}

    def _prepare():
        try:
            dispatcher, runtime = build_runtime(iam_enforced)
        except Exception as err:  # noqa: BLE001 - reported to every caller, and in the log
            import traceback

            traceback.print_exc()
            app.failed = f"the sandbox failed to start: {err}"
            app.ready.set()
            return
        identity["seconds_per_simulated_minute"] = 60.0 / runtime.clock.factor
        runtime.engine.start()
        runtime_box["runtime"] = runtime
        app.attach(dispatcher, runtime)

    threading.Thread(target=_prepare, name="sandbox-prepare", daemon=True).start()

    def _shutdown(signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _shutdown)
    signal.signal(signal.SIGINT, _shutdown)
    print(f"{SERVICE_NAME}: serving the AWS APIs (moto {moto.__version__}, simulated clock x{factor_from_env():g}"
          f"{', IAM enforced' if iam_enforced else ''}) on http://{LOOPBACK}:{port}", flush=True)
    server.serve_forever()
    if "runtime" in runtime_box:
        runtime_box["runtime"].engine.stop()
    print(f"{SERVICE_NAME}: stopped", flush=True)


def _quiet_handler():
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    from .core import clock as clock_module

    class QuietHandler(MotoRequestHandler):
        """moto's request handler; the HTTP Date header tells simulated time; logs only server errors."""

        def date_time_string(self, timestamp=None):
            try:
                return clock_module.http_date(clock_module.current().now())
            except RuntimeError:  # still starting: only /_sandbox/health answers, on the real clock
                return super().date_time_string(timestamp)

        def log_request(self, code="-", size="-"):
            try:
                if int(str(code)) >= 500:
                    super().log_request(code, size)
            except ValueError:
                super().log_request(code, size)

    return QuietHandler


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the scaleout.webtier sandbox in the foreground.")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    serve(args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
