"""Addresses phones can reach: the venue address instead of loopback (check-in QR, slips)."""

import socket

import pytest

from lms import network
from lms.network import is_loopback_host, reachable_base_url
from lms.web import venue_base_url

ORIGINAL_VENUE_ADDRESS = network.venue_address  # before the suite's fixture fixes it
ORIGINAL_INTERFACE_ADDRESSES = network.interface_addresses


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


def test_venue_addresses_list_the_interfaces_without_loopback_probe_first(monkeypatch):
    monkeypatch.setattr("lms.network.venue_address", lambda: "192.168.1.23")
    lister = lambda: ["127.0.0.1", "10.8.0.5", "192.168.1.23", "169.254.3.4", "10.8.0.5"]  # noqa: E731
    assert network.venue_addresses(lister) == ["192.168.1.23", "10.8.0.5"]


def test_venue_addresses_fall_back_to_the_probe_or_to_nothing(monkeypatch):
    monkeypatch.setattr("lms.network.venue_address", lambda: "192.168.1.23")
    assert network.venue_addresses(lambda: []) == ["192.168.1.23"]
    monkeypatch.setattr("lms.network.venue_address", lambda: "127.0.0.1")
    assert network.venue_addresses(lambda: ["127.0.0.1"]) == []


def test_interface_addresses_of_this_machine_are_ipv4_and_include_loopback_on_linux():
    found = ORIGINAL_INTERFACE_ADDRESSES()
    assert all(socket.inet_aton(a) and a.count(".") == 3 for a in found)
    if found:
        assert "127.0.0.1" in found


def test_a_chosen_address_is_used_only_when_it_is_one_of_the_laptop(venue_network):
    # The suite's laptop has 192.168.1.23 and 10.8.0.5 (tests/conftest.py).
    assert reachable_base_url("http://127.0.0.1:5000/", "10.8.0.5") == "http://10.8.0.5:5000"
    assert reachable_base_url("http://127.0.0.1:5000/", "203.0.113.9") == f"http://{venue_network}:5000"
    assert reachable_base_url("http://127.0.0.1:5000/", "127.0.0.1") == f"http://{venue_network}:5000"
    assert reachable_base_url("http://192.168.1.50:5000/", "10.8.0.5") == "http://192.168.1.50:5000"
