"""The client address behind N trusted proxies: the right-most hop they did not add, never the left-most."""

from django.test import RequestFactory

from tuijin.core.net import client_ip


def request(remote="10.0.0.2", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_no_trusted_proxy_ignores_the_header():
    assert client_ip(request(forwarded="1.1.1.1"), trusted_proxies=0) == "10.0.0.2"


def test_one_proxy_takes_the_right_most_entry_not_the_forged_left_most():
    forged = request(forwarded="6.6.6.6, 5.5.5.5, 203.0.113.7")
    assert client_ip(forged, trusted_proxies=1) == "203.0.113.7"


def test_two_proxies_skip_the_inner_proxy_hop():
    # client -> CDN (appends client) -> nginx (appends CDN) -> app (REMOTE_ADDR = nginx)
    assert client_ip(request(forwarded="6.6.6.6, 203.0.113.7, 192.0.2.10"), trusted_proxies=2) == "203.0.113.7"


def test_fewer_hops_than_proxies_falls_back_to_the_connection():
    assert client_ip(request(forwarded="6.6.6.6"), trusted_proxies=2) == "10.0.0.2"
    assert client_ip(request(), trusted_proxies=1) == "10.0.0.2"


def test_garbage_or_ports_in_the_trusted_hop():
    assert client_ip(request(forwarded="x, not-an-ip"), trusted_proxies=1) == "10.0.0.2"
    assert client_ip(request(forwarded="203.0.113.7:5123"), trusted_proxies=1) == "203.0.113.7"
    assert client_ip(request(forwarded="[2001:db8::1]:443"), trusted_proxies=1) == "2001:db8::1"
    assert client_ip(request(forwarded="2001:db8::2"), trusted_proxies=1) == "2001:db8::2"


def test_the_setting_is_the_default(settings):
    settings.TUIJIN_TRUSTED_PROXIES = 1
    assert client_ip(request(forwarded="6.6.6.6, 203.0.113.7")) == "203.0.113.7"
