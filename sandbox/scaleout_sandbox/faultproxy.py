"""A fault-injecting HTTP proxy between AWS clients and the sandbox: throttling, server errors, latency.

    python -m scaleout_sandbox.faultproxy --listen-port 4610 --upstream http://127.0.0.1:4599 \\
        --throttle 0.2 --server-error 0.05 --latency-ms 20 --seed 7

    with FaultProxy("http://127.0.0.1:4599", throttle=0.2, seed=7) as proxy:
        boto3.client("ec2", endpoint_url=proxy.endpoint, ...)

Every request is forwarded unchanged (method, path, query, headers, body) to the upstream, which
must be on loopback, and the response is relayed unchanged. On AWS API calls only, drawn from a
seeded random.Random so that a run is reproducible, the proxy answers instead of the upstream:

* with probability `throttle`, a throttling error;
* else with probability `server_error`, a 5xx error;

shaped the way AWS shapes them for the request's protocol, so that botocore parses the code and
retries them (see `aws_error_shapes.fault_response`). A faulted request never reaches the upstream.

A lost response is the other way round: the first `lose_count` calls matching `lose_responses`
(patterns as for `actions`) are forwarded, so the upstream does what they ask, and then the answer
is lost - the connection reset (`lose_mode` "reset", what a dropped network path looks like) or a
500 InternalError in its place (`lose_mode` "server_error"). botocore retries both: the retry is the
same request again, which is how a create whose answer was lost makes a duplicate. Every AWS call
is delayed by `latency_ms` (plus up to `jitter_ms`). `actions` (patterns such as "ec2:RunInstances",
"ec2:Describe*" or "RunInstances") limits the faults to the calls it matches.

`/_sandbox/*` requests are forwarded without faults and not counted. The proxy's own endpoints:

    GET        /_proxy/health     identity, endpoint, upstream
    GET|POST   /_proxy/settings   the settings; POST a JSON document of the keys to change
    GET|DELETE /_proxy/stats      counters (AWS calls seen, forwarded, throttled, server errors, per action)
"""

from __future__ import annotations

import argparse
import fnmatch
import http.client
import json
import random
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional
from urllib.parse import urlsplit

from . import requestlog
from .aws_error_shapes import SERVER_ERROR, THROTTLE, fault_response, request_protocol

LOOPBACK = "127.0.0.1"
SERVICE_NAME = "scaleout-webtier-faultproxy"
CONTROL_PREFIX = "/_proxy/"
SANDBOX_PREFIX = "/_sandbox/"
UPSTREAM_TIMEOUT_S = 120.0
SETTING_KEYS = ("throttle", "server_error", "latency_ms", "jitter_ms", "seed", "actions", "lose_responses",
                "lose_mode", "lose_count")
LOSE_MODES = ("reset", "server_error")
# Not forwarded either way: they describe one connection, not the request. Content-Length is set anew.
_HOP_BY_HOP = frozenset(("connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
                         "te", "trailer", "trailers", "transfer-encoding", "upgrade", "expect", "content-length"))


# ---------------------------------------------------------------------------- settings


def check_upstream(upstream: str) -> str:
    """The upstream base URL, normalised; ValueError unless it is http://127.0.0.1:<port> or http://localhost:<port>."""
    refusal = (f"the fault proxy only forwards to the local sandbox: the upstream must be http://127.0.0.1:<port> "
               f"or http://localhost:<port>, not {upstream!r}")
    try:
        parts = urlsplit(str(upstream).strip())
        port = parts.port
    except ValueError:
        raise ValueError(refusal) from None
    if (parts.scheme != "http" or parts.hostname not in (LOOPBACK, "localhost") or port is None
            or parts.username or parts.password or parts.path not in ("", "/") or parts.query or parts.fragment):
        raise ValueError(refusal)
    return f"http://{parts.hostname}:{port}"


def check_settings(document, current: Optional[dict] = None) -> dict:
    """`current` updated with `document` (a dict of SETTING_KEYS), validated; ValueError says what is wrong."""
    if not isinstance(document, dict):
        raise ValueError("the settings must be a JSON object")
    unknown = sorted(set(document) - set(SETTING_KEYS))
    if unknown:
        raise ValueError(f"unknown settings {', '.join(unknown)}; known: {', '.join(SETTING_KEYS)}")
    settings = dict(current or {"throttle": 0.0, "server_error": 0.0, "latency_ms": 0.0, "jitter_ms": 0.0,
                                "seed": None, "actions": None, "lose_responses": None, "lose_mode": "reset",
                                "lose_count": 1})
    settings.update(document)
    for key in ("throttle", "server_error"):
        value = settings[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
            raise ValueError(f"{key} must be a probability between 0 and 1, not {value!r}")
        settings[key] = float(value)
    if settings["throttle"] + settings["server_error"] > 1.0:
        raise ValueError(f"throttle + server_error must be at most 1, not {settings['throttle']:g} + "
                         f"{settings['server_error']:g}")
    for key in ("latency_ms", "jitter_ms"):
        value = settings[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < float("inf"):
            raise ValueError(f"{key} must be a number of milliseconds >= 0, not {value!r}")
        settings[key] = float(value)
    seed = settings["seed"]
    if seed is None:
        seed = random.SystemRandom().randrange(2 ** 32)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, not {seed!r}")
    settings["seed"] = seed
    actions = settings["actions"]
    if isinstance(actions, str):
        actions = [a for a in actions.split(",") if a.strip()]
    if actions is not None:
        if not isinstance(actions, (list, tuple)) or not all(isinstance(a, str) and a.strip() for a in actions):
            raise ValueError(f"actions must be a list of patterns such as 'ec2:RunInstances' or 'Describe*', "
                             f"not {actions!r}")
        actions = [a.strip() for a in actions]
    settings["actions"] = actions
    lose = settings["lose_responses"]
    if isinstance(lose, str):
        lose = [a for a in lose.split(",") if a.strip()]
    if lose is not None:
        if not isinstance(lose, (list, tuple)) or not all(isinstance(a, str) and a.strip() for a in lose):
            raise ValueError(f"lose_responses must be a list of patterns such as 'ec2:CreateImage', not {lose!r}")
        lose = [a.strip() for a in lose]
    settings["lose_responses"] = lose
    if settings["lose_mode"] not in LOSE_MODES:
        raise ValueError(f"lose_mode must be one of {', '.join(LOSE_MODES)}, not {settings['lose_mode']!r}")
    count = settings["lose_count"]
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"lose_count must be a number of responses >= 0, not {count!r}")
    return settings


def _matches(actions: Optional[list], service: str, action: str) -> bool:
    if actions is None:
        return True
    return any(fnmatch.fnmatchcase(f"{service}:{action}" if ":" in pattern else action, pattern) for pattern in actions)


# ---------------------------------------------------------------------------- the proxy


class _Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._totals = {"requests": 0, "forwarded": 0, "throttled": 0, "server_errors": 0, "upstream_errors": 0,
                            "responses_lost": 0}
            self._by_action: dict = {}

    def count(self, key: str, what: str) -> None:
        totals = {"seen": "requests", "forwarded": "forwarded", "throttled": "throttled",
                  "server_errors": "server_errors", "upstream_errors": "upstream_errors",
                  "responses_lost": "responses_lost"}
        with self._lock:
            self._totals[totals[what]] += 1
            entry = self._by_action.setdefault(key, {"seen": 0, "forwarded": 0, "throttled": 0, "server_errors": 0,
                                                     "responses_lost": 0})
            if what in entry:
                entry[what] += 1

    def as_dict(self) -> dict:
        with self._lock:
            return dict(self._totals, by_action={key: dict(value) for key, value in sorted(self._by_action.items())})


class FaultProxy:
    """The proxy on 127.0.0.1:`port` (0: a free port), run in a background thread by start()."""

    def __init__(self, upstream: str, port: int = 0, throttle: float = 0.0, server_error: float = 0.0,
                 latency_ms: float = 0.0, jitter_ms: float = 0.0, seed: Optional[int] = None,
                 actions: Optional[list] = None, verbose: bool = False, lose_responses: Optional[list] = None,
                 lose_mode: str = "reset", lose_count: int = 1):
        self.upstream = check_upstream(upstream)
        self.upstream_port = urlsplit(self.upstream).port
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be 0 (any free port) or a port number, not {port!r}")
        self.port = port
        self.verbose = verbose
        self._settings_lock = threading.Lock()
        self._settings = check_settings({"throttle": throttle, "server_error": server_error, "latency_ms": latency_ms,
                                         "jitter_ms": jitter_ms, "seed": seed, "actions": actions,
                                         "lose_responses": lose_responses, "lose_mode": lose_mode,
                                         "lose_count": lose_count})
        self._seed_random()
        self._stats = _Stats()
        self._server: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None

    # ------------------------------------------------------------ lifecycle

    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> str:
        """Bind and serve in a background thread; the endpoint URL."""
        if self._server is not None:
            return self.endpoint
        self._server = _Server((LOOPBACK, self.port), _Handler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name=f"faultproxy-{self.port}", daemon=True)
        self._thread.start()
        return self.endpoint

    def stop(self) -> None:
        """Stop serving and close every client connection (idempotent)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> "FaultProxy":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------ settings and counters

    def settings(self) -> dict:
        with self._settings_lock:
            return dict(self._settings)

    def update(self, document: Optional[dict] = None, **settings) -> dict:
        """Change some settings (validated; a seed given restarts the random sequence); the settings."""
        document = dict(document or {}, **settings)
        with self._settings_lock:
            self._settings = check_settings(document, self._settings)
            if "seed" in document:
                self._seed_random()
            return dict(self._settings)

    def stats(self) -> dict:
        return dict(self._stats.as_dict(), settings=self.settings())

    def reset_stats(self) -> dict:
        self._stats.reset()
        return self.stats()

    def _seed_random(self) -> None:
        # Two streams, so that the jitter neither shifts nor mirrors the faults drawn.
        self._faults_random = random.Random(self._settings["seed"])
        self._jitter_random = random.Random(f"jitter-{self._settings['seed']}")

    def decide(self, service: str, action: str) -> tuple:
        """(the fault: None, THROTTLE or SERVER_ERROR; the latency in seconds) of one AWS call, in arrival order."""
        with self._settings_lock:
            settings = self._settings
            fault = None
            if (settings["throttle"] or settings["server_error"]) and _matches(settings["actions"], service, action):
                draw = self._faults_random.random()
                if draw < settings["throttle"]:
                    fault = THROTTLE
                elif draw < settings["throttle"] + settings["server_error"]:
                    fault = SERVER_ERROR
            delay_ms = settings["latency_ms"]
            if settings["jitter_ms"]:
                delay_ms += self._jitter_random.uniform(0.0, settings["jitter_ms"])
        return fault, delay_ms / 1000.0

    def lose_response(self, service: str, action: str) -> Optional[str]:
        """The lose_mode if the answer to this call is to be lost (counted down), else None."""
        with self._settings_lock:
            settings = self._settings
            if not settings["lose_responses"] or settings["lose_count"] <= 0:
                return None
            if not _matches(settings["lose_responses"], service, action):
                return None
            settings["lose_count"] -= 1
            return settings["lose_mode"]

    def describe(self) -> dict:
        return {"service": SERVICE_NAME, "endpoint": self.endpoint, "upstream": self.upstream}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, proxy: FaultProxy):
        self.proxy = proxy
        self._connections: set = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = SERVICE_NAME
    timeout = 300  # idle keep-alive connections

    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the client's delayed
        # ACK add tens of milliseconds to every response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _handle(self) -> None:
        proxy = self.server.proxy
        try:
            body = self._read_body()
        except ValueError as err:
            self.close_connection = True
            return self._send_json(400, {"error": str(err)})
        target = self.path
        if target.startswith(("http://", "https://")):  # absolute form, from a client configured with a proxy
            parts = urlsplit(target)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        path, _, query = target.partition("?")
        if path.startswith(CONTROL_PREFIX):
            return self._control(proxy, path, body)
        if path.startswith(SANDBOX_PREFIX):
            return self._forward(proxy, target, body)
        headers = {key.lower(): value for key, value in self.headers.items()}
        try:
            call = requestlog.parse(self.command, path, query, headers, body)
        except Exception:  # noqa: BLE001 - never fail a request because it could not be parsed
            call = {"service": None, "action": None}
        service, action = call.get("service") or "unknown", call.get("action") or f"{self.command} {path}"
        key = f"{service}:{action}"
        fault, delay = proxy.decide(service, action)
        proxy._stats.count(key, "seen")
        if delay > 0:
            time.sleep(delay)
        if fault is None:
            lose = proxy.lose_response(service, action)
            return self._forward(proxy, target, body, key, lose=lose, call=call, query=query, headers=headers)
        proxy._stats.count(key, "throttled" if fault == THROTTLE else "server_errors")
        protocol = request_protocol(call.get("service"), query, headers, body)
        status, response_headers, payload = fault_response(fault, protocol, call.get("service"),
                                                           headers.get("content-type", ""))
        if proxy.verbose:
            self.log_message("%s: %s, %s error %d", key, fault, protocol, status)
        self._send(status, http.client.responses.get(status, ""), response_headers, payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle

    # ------------------------------------------------------------ plumbing

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise ValueError("malformed chunked request body") from None
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            size = int(length)
        except ValueError:
            raise ValueError(f"bad Content-Length {length!r}") from None
        if size < 0:
            raise ValueError(f"bad Content-Length {length!r}")
        return self.rfile.read(size)

    def _forward(self, proxy: FaultProxy, target: str, body: bytes, key: Optional[str] = None,
                 lose: Optional[str] = None, call: Optional[dict] = None, query: str = "",
                 headers: Optional[dict] = None) -> None:
        """Send the request upstream and relay the answer (a 502 when the upstream cannot be reached).

        An AWS call (`key`) is counted before the client gets the answer, so that the stats it reads next include it."""
        # To 127.0.0.1 even for a "localhost" upstream: the sandbox listens there only (localhost may be ::1 first).
        connection = http.client.HTTPConnection(LOOPBACK, proxy.upstream_port, timeout=UPSTREAM_TIMEOUT_S)
        try:
            try:
                connection.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
                has_host = False
                for name, value in self.headers.items():
                    if name.lower() in _HOP_BY_HOP:
                        continue
                    has_host = has_host or name.lower() == "host"
                    connection.putheader(name, value)
                if not has_host:
                    connection.putheader("Host", f"{LOOPBACK}:{proxy.upstream_port}")
                if body or "Content-Length" in self.headers or "Transfer-Encoding" in self.headers:
                    connection.putheader("Content-Length", str(len(body)))
                connection.putheader("Connection", "close")
                connection.endheaders(body or None)
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as err:
                self.log_error("upstream %s: %s", proxy.upstream, err)
                if key:
                    proxy._stats.count(key, "upstream_errors")
                # The generic shape botocore expects from a proxy: it reports the status code as the error code.
                self._send(502, "Bad Gateway", [("Content-Type", "text/html")],
                           f"<html><body><b>502 Bad Gateway</b>: the fault proxy could not reach {proxy.upstream}: "
                           f"{err}</body></html>".encode())
                return
            if key:
                proxy._stats.count(key, "forwarded")
            if lose is not None:
                return self._lose(proxy, key, lose, call or {}, query, headers or {}, body, response.status)
            headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            if self.command == "HEAD" or response.status in (204, 304):
                # No body; the length a HEAD answer announces is that of the body a GET would get.
                length = response.getheader("Content-Length")
                if length is not None and self.command == "HEAD":
                    headers.append(("Content-Length", length))
                self._send(response.status, response.reason, headers, b"", set_length=False)
            else:
                self._send(response.status, response.reason, headers, payload)
        finally:
            connection.close()

    def _lose(self, proxy: FaultProxy, key: str, mode: str, call: dict, query: str, headers: dict, body: bytes,
              status: int) -> None:
        """The upstream did the call (answering `status`); the client never learns it."""
        proxy._stats.count(key, "responses_lost")
        if proxy.verbose:
            self.log_message("%s: the upstream answered %d, the response is lost (%s)", key, status, mode)
        if mode == "reset":
            # SO_LINGER with a zero timeout: close() sends a TCP RST instead of a FIN.
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        protocol = request_protocol(call.get("service"), query, headers, body)
        status, response_headers, payload = fault_response(SERVER_ERROR, protocol, call.get("service"),
                                                           headers.get("content-type", ""))
        self._send(status, http.client.responses.get(status, ""), response_headers, payload)

    def _send(self, status: int, reason: str, headers: list, body: bytes, set_length: bool = True) -> None:
        self.send_response_only(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        if set_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.log_request(status, len(body))

    def _send_json(self, status: int, document) -> None:
        self._send(status, http.client.responses.get(status, ""), [("Content-Type", "application/json")],
                   json.dumps(document, default=str).encode())

    def _control(self, proxy: FaultProxy, path: str, body: bytes) -> None:
        method = self.command
        if path == "/_proxy/health" and method == "GET":
            return self._send_json(200, proxy.describe())
        if path == "/_proxy/stats":
            if method == "GET":
                return self._send_json(200, proxy.stats())
            if method == "DELETE":
                return self._send_json(200, proxy.reset_stats())
        if path == "/_proxy/settings":
            if method == "GET":
                return self._send_json(200, proxy.settings())
            if method in ("POST", "PUT"):
                try:
                    document = json.loads(body.decode("utf-8") or "{}")
                except ValueError:
                    return self._send_json(400, {"error": "the body must be a JSON object"})
                try:
                    return self._send_json(200, proxy.update(document))
                except ValueError as err:
                    return self._send_json(400, {"error": str(err)})
        return self._send_json(404, {"error": f"no fault proxy endpoint {method} {path}"})

    def log_request(self, code="-", size="-") -> None:
        if self.server.proxy.verbose:
            super().log_request(code, size)


# ---------------------------------------------------------------------------- command line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run a fault-injecting proxy in front of the sandbox (foreground).")
    parser.add_argument("--listen-port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--upstream", help="the sandbox, http://127.0.0.1:<port> (default: the configured sandbox)")
    parser.add_argument("--throttle", type=float, default=0.0, help="probability of a throttling error")
    parser.add_argument("--server-error", type=float, default=0.0, help="probability of a 5xx error")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay added to every AWS call")
    parser.add_argument("--jitter-ms", type=float, default=0.0, help="random extra delay, up to this much")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a random one, printed)")
    parser.add_argument("--actions", default=None,
                        help="comma-separated patterns of the calls to fault, e.g. 'ec2:RunInstances,Describe*'")
    parser.add_argument("--lose-responses", default=None,
                        help="comma-separated patterns of calls to forward and then lose the answer of")
    parser.add_argument("--lose-mode", default="reset", choices=LOSE_MODES,
                        help="how an answer is lost: the connection reset, or a 500 in its place")
    parser.add_argument("--lose-count", type=int, default=1, help="how many answers to lose")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)
    upstream = args.upstream
    if upstream is None:
        from . import ctl

        try:
            upstream = ctl.endpoint(ctl.configured_port())
        except ctl.SandboxError as err:
            parser.error(str(err))
    try:
        proxy = FaultProxy(upstream, port=args.listen_port, throttle=args.throttle, server_error=args.server_error,
                           latency_ms=args.latency_ms, jitter_ms=args.jitter_ms, seed=args.seed,
                           actions=args.actions, verbose=args.verbose, lose_responses=args.lose_responses,
                           lose_mode=args.lose_mode, lose_count=args.lose_count)
        proxy.start()
    except ValueError as err:
        parser.error(str(err))
    except OSError as err:
        print(f"{SERVICE_NAME}: cannot listen on {LOOPBACK}:{args.listen_port}: {err}", file=sys.stderr)
        return 1
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    settings = proxy.settings()
    print(f"{SERVICE_NAME}: {proxy.endpoint} -> {proxy.upstream} (throttle={settings['throttle']:g}, "
          f"server_error={settings['server_error']:g}, latency_ms={settings['latency_ms']:g}, "
          f"jitter_ms={settings['jitter_ms']:g}, seed={settings['seed']}, actions={settings['actions'] or 'all'})",
          flush=True)
    while not stopping.wait(0.5):
        pass
    proxy.stop()
    print(f"{SERVICE_NAME}: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
