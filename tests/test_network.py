"""Addresses phones can reach: the venue address instead of loopback (check-in QR, slips)."""

import socket

import pytest

from lms import network
from lms.network import is_loopback_host, reachable_base_url
from lms.web import venue_base_url

ORIGINAL_VENUE_ADDRESS = network.venue_address  # before the suite's fixture fixes it


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("127.0.0.1", True), ("127.1.2.3", True), ("[::1]", True), ("app.localhost", True),
    ("192.168.1.10", False), ("10.0.0.5", False), ("lms.diskominfo.contoh.go.id", False),
])
def test_loopback_hosts(host, loopback):
    assert is_loopback_host(host) is loopback


def test_a_request_over_the_network_keeps_its_address():
    assert reachable_base_url("http://192.168.1.50:5000/") == "http://192.168.1.50:5000"
    assert reachable_base_url("https://lms.contoh.go.id/") == "https://lms.contoh.go.id"


def test_on_loopback_the_venue_address_keeps_the_port(venue_network):
    assert reachable_base_url("http://127.0.0.1:5201/") == f"http://{venue_network}:5201"
    assert reachable_base_url("http://localhost/") == f"http://{venue_network}"


def test_the_venue_address_is_an_ipv4_address():
    address = ORIGINAL_VENUE_ADDRESS()
    assert socket.inet_aton(address) and address.count(".") == 3


def test_pages_ask_with_the_address_of_their_request(app, venue_network):
    with app.test_request_context("/attendance/sessions/1/screen", base_url="http://10.0.0.7:5000"):
        assert venue_base_url() == "http://10.0.0.7:5000"
    with app.test_request_context("/attendance/sessions/1/screen", base_url="http://127.0.0.1:5000"):
        assert venue_base_url() == f"http://{venue_network}:5000"
