"""The BSrE stand-in on a real local port, and a client of the adapter pointed at it."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator

import pytest
from reportlab.pdfgen import canvas

from lms.certificates.signing.bsre import BsreClient, BsreConfig
from tests.bsre_standin import CLIENT_ID, CLIENT_SECRET, SEAL_SUBSCRIBER, BsreStandin


def make_pdf(text: str) -> bytes:
    """A one-page unsigned PDF with `text` on it."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return out.getvalue()


@pytest.fixture(scope="module")
def standin_server() -> Iterator[BsreStandin]:
    server = BsreStandin().start()
    yield server
    server.stop()


@pytest.fixture
def standin(standin_server: BsreStandin) -> BsreStandin:
    standin_server.mode = None
    standin_server.delay = 3.0
    standin_server.error_status = 400
    standin_server.issued_totp = None
    standin_server.calls.clear()
    return standin_server


@pytest.fixture
def bsre_config(standin: BsreStandin) -> BsreConfig:
    return BsreConfig(base_url=standin.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                      seal_subscriber_id=SEAL_SUBSCRIBER, timeout=30, files_per_request=2,
                      location="Surabaya")


@pytest.fixture
def bsre(bsre_config: BsreConfig) -> BsreClient:
    """A client that waits long enough for real signing on a busy machine (see `impatient` for timeouts)."""
    return BsreClient(bsre_config)


@pytest.fixture
def impatient(bsre_config: BsreConfig) -> BsreClient:
    """A client that gives up after half a second (the stand-in's timeout mode answers after three)."""
    return BsreClient(dataclasses.replace(bsre_config, timeout=0.5))
