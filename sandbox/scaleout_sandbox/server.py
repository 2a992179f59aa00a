"""The sandbox process: moto's AWS API server on loopback, plus the sandbox's own endpoints.

Everything the collection calls goes through the ordinary AWS APIs served by moto. The sandbox
adds a small `/_sandbox/` namespace that only tests and the control script use (health, identity).
It is not an AWS API and nothing in roles/ or plugins/ calls it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time

LOOPBACK = "127.0.0.1"
HEALTH_PATH = "/_sandbox/health"
SERVICE_NAME = "scaleout-webtier-sandbox"


class SandboxApp:
    """WSGI wrapper: answers the sandbox's own paths, hands everything else to moto."""

    def __init__(self, moto_app, identity: dict):
        self._moto_app = moto_app
        self._identity = identity

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH:
            body = json.dumps(dict(self._identity, uptime_s=round(time.time() - self._identity["started"], 3)))
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body.encode()]
        return self._moto_app(environ, start_response)


def build_app(identity: dict):
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return SandboxApp(DomainDispatcherApplication(create_backend_app), identity)


def serve(port: int) -> None:
    import moto
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    identity = {
        "service": SERVICE_NAME,
        "pid": os.getpid(),
        "port": port,
        "started": time.time(),
        "moto_version": moto.__version__,
        "simulated": True,
    }
    server = make_server(LOOPBACK, port, build_app(identity), threaded=True, request_handler=MotoRequestHandler)
    stop = threading.Event()

    def _shutdown(signum, _frame):
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _shutdown)
    signal.signal(signal.SIGINT, _shutdown)
    print(f"{SERVICE_NAME}: serving the AWS APIs (moto {moto.__version__}) on http://{LOOPBACK}:{port}", flush=True)
    server.serve_forever()
    print(f"{SERVICE_NAME}: stopped", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the scaleout.webtier sandbox in the foreground.")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    serve(args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
