"""Serve the app (`make run`, `python -m lms.serve`) on every core, proxy-aware when configured.

Where the platform forks (Linux, macOS) the venue laptop runs gunicorn: several processes with
threads each, so a burst of 300 phones uses both cores (Python runs one thread at a time per
process). Elsewhere (Windows) Waitress, one process. SQLite copes with several processes: WAL,
a busy timeout, writing requests take the write lock up front (lms.web), and writers queue on a
lock in each process and on a lock file beside the database across processes (lms/__init__.py).
Rate-limit counters kept in memory would be per process, so several processes share them in a
SQLite file in the instance folder (lms.ratestore) unless LMS_RATELIMIT_STORAGE_URI names one.

Waitress drops every X-Forwarded-* header by default, so behind nginx the app would see only
the proxy's address and plain HTTP. Here Waitress itself trusts LMS_TRUSTED_PROXIES hops and
the app is built without its ProxyFix, so the headers are applied exactly once. Under gunicorn
the app's ProxyFix applies them and gunicorn trusts no forwarded header itself.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import waitress
from flask import Flask

from lms import create_app, network
from lms.config import DEFAULTS
from lms.extensions import db
from lms.ratestore import SCHEME as SHARED_COUNTER_SCHEME

# Rate-limit counters of several processes, in the instance folder (lms.ratestore).
SHARED_COUNTERS = f"{SHARED_COUNTER_SCHEME}:///ratelimits.sqlite3"
MAX_AUTO_WORKERS = 4

# The X-Forwarded-* headers ProxyFix honours under other servers (gunicorn), minus the prefix,
# which Waitress does not know: behind Waitress serve the app at the root of its host name.
FORWARDED_HEADERS = ("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port")


def proxy_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return Waitress's proxy settings for the app's TRUSTED_PROXIES hop count."""
    hops = int(config["TRUSTED_PROXIES"])
    if hops <= 0:
        return {"clear_untrusted_proxy_headers": True}
    # Like ProxyFix, trust the last `hops` entries whoever connects: bind the app to an
    # address only the proxy can reach (make run binds 127.0.0.1).
    return {"trusted_proxy": "*", "trusted_proxy_count": hops,
            "trusted_proxy_headers": " ".join(FORWARDED_HEADERS), "clear_untrusted_proxy_headers": True}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lms.serve", description="Jalankan LMS dengan Waitress.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--server", choices=["auto", "gunicorn", "waitress"], default="auto",
                        help="auto: gunicorn where the platform forks, else Waitress")
    parser.add_argument("--workers", type=int, default=0,
                        help="processes under gunicorn (0: one per core, 2 to 4)")
    parser.add_argument("--threads", type=int, default=16, help="threads in all, shared among the processes")
    parser.add_argument("--connection-limit", type=int, default=1000)
    parser.add_argument("--channel-timeout", type=int, default=60)
    parser.add_argument("--ident", default="lms")
    return parser


def served_base_url(host: str, port: int) -> str:
    """Return the address this server answers on: for 0.0.0.0 (every interface) the venue address."""
    shown = network.venue_address() if host in ("", "0.0.0.0") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def chosen_server(name: str) -> str:
    """Return the server to run: gunicorn where it can fork workers, else Waitress."""
    if name != "auto":
        return name
    try:
        import gunicorn.app.base  # noqa: F401  (importable on POSIX only: it needs fcntl)
    except ImportError:
        return "waitress"
    return "gunicorn" if os.name == "posix" else "waitress"


def worker_count(requested: int) -> int:
    """Return how many gunicorn processes to run: as asked, or one per core (2 to 4)."""
    if requested > 0:
        return requested
    return min(MAX_AUTO_WORKERS, max(2, os.cpu_count() or 1))


def gunicorn_options(args: argparse.Namespace, workers: int) -> dict[str, Any]:
    """Return gunicorn's settings for the command line (threads shared among the workers)."""
    host = f"[{args.host}]" if ":" in args.host else args.host
    return {"bind": f"{host}:{args.port}", "workers": workers, "worker_class": "gthread",
            "threads": max(2, math.ceil(args.threads / workers)),
            "worker_connections": args.connection_limit, "timeout": args.channel_timeout,
            "keepalive": 5, "proc_name": args.ident,
            # The app's ProxyFix applies LMS_TRUSTED_PROXIES hops; gunicorn trusts none itself.
            "forwarded_allow_ips": "", "accesslog": None, "errorlog": "-"}


def run_gunicorn(app: Flask, options: Mapping[str, Any]) -> None:
    """Serve app with gunicorn in this process as its master, until stopped."""
    from gunicorn.app.base import BaseApplication  # POSIX only: see chosen_server

    def after_fork(arbiter: Any, worker: Any) -> None:
        # Connections opened in the master must not be shared by the forked workers.
        with app.app_context():
            db.engine.dispose(close=False)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {**options, "post_fork": after_fork}.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn 24+: no socket in $HOME
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Flask:
            return app

    Server().run()


def build_app(config: Mapping[str, Any], server: str, workers: int) -> Flask:
    """Build the app for this server: its proxy handling, and counters shared by several processes."""
    settings = {**config, "PROXY_HEADERS_BY_SERVER": server == "waitress"}
    app = create_app(settings)
    if workers > 1 and str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        app = create_app({**settings, "RATELIMIT_STORAGE_URI": SHARED_COUNTERS})
    return app


def main(argv: Sequence[str] | None = None, config: Mapping[str, Any] | None = None) -> None:
    """Build the app (config overrides it, as create_app's argument does) and serve it until stopped.

    When no one set the public address (instance/config.py, LMS_PUBLIC_BASE_URL), printed QR codes
    and links follow the address actually served, e.g. `make run PORT=5201`, not the default port.
    """
    args = _parser().parse_args(argv)
    server = chosen_server(args.server)
    workers = worker_count(args.workers) if server == "gunicorn" else 1
    app = build_app(config or {}, server, workers)
    if app.config["PUBLIC_BASE_URL"] == DEFAULTS["PUBLIC_BASE_URL"]:
        app.config["PUBLIC_BASE_URL"] = served_base_url(args.host, args.port)
    app.config["LISTEN_HOST"] = args.host
    print(f"Alamat pada kode QR dan slip: {app.config['PUBLIC_BASE_URL']}", flush=True)
    if server == "gunicorn":
        options = gunicorn_options(args, workers)
        print(f"Server: gunicorn, {workers} proses × {options['threads']} utas", flush=True)
        run_gunicorn(app, options)
        return
    print(f"Server: Waitress, 1 proses × {args.threads} utas", flush=True)
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads,
                   connection_limit=args.connection_limit, channel_timeout=args.channel_timeout,
                   ident=args.ident, **proxy_options(app.config))


if __name__ == "__main__":
    main()
