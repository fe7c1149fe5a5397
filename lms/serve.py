"""Run the app under Waitress (`make run`, `python -m lms.serve`), proxy-aware when configured.

Waitress drops every X-Forwarded-* header by default, so behind nginx the app would see only
the proxy's address and plain HTTP. Here Waitress itself trusts LMS_TRUSTED_PROXIES hops and
the app is built without its ProxyFix, so the headers are applied exactly once.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

import waitress

from lms import create_app, network
from lms.config import DEFAULTS

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
    parser.add_argument("--threads", type=int, default=16)
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


def main(argv: Sequence[str] | None = None, config: Mapping[str, Any] | None = None) -> None:
    """Build the app (config overrides it, as create_app's argument does) and serve it until stopped.

    When no one set the public address (instance/config.py, LMS_PUBLIC_BASE_URL), printed QR codes
    and links follow the address actually served, e.g. `make run PORT=5201`, not the default port.
    """
    args = _parser().parse_args(argv)
    app = create_app({**(config or {}), "PROXY_HEADERS_BY_SERVER": True})
    if app.config["PUBLIC_BASE_URL"] == DEFAULTS["PUBLIC_BASE_URL"]:
        app.config["PUBLIC_BASE_URL"] = served_base_url(args.host, args.port)
    app.config["LISTEN_HOST"] = args.host
    print(f"Alamat pada kode QR dan slip: {app.config['PUBLIC_BASE_URL']}", flush=True)
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads,
                   connection_limit=args.connection_limit, channel_timeout=args.channel_timeout,
                   ident=args.ident, **proxy_options(app.config))


if __name__ == "__main__":
    main()
