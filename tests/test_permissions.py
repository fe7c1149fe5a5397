"""Every endpoint outside the public list refuses anonymous visitors; admin pages refuse others."""

import re

import pytest

from lms.accounts.permissions import PUBLIC_ENDPOINTS


def concrete_url(rule):
    url = rule.rule
    for argument in rule.arguments:
        url = re.sub(rf"<(?:[^:>]+:)?{argument}>", "1", url)
    return url


def non_public_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC_ENDPOINTS]


def methods(rule):
    return sorted(m for m in rule.methods if m in {"GET", "POST"})


def test_there_are_endpoints_to_check(app):
    assert len(non_public_rules(app)) >= 15


def test_anonymous_html_request_is_sent_to_login(app, client):
    for rule in non_public_rules(app):
        for method in methods(rule):
            response = client.open(concrete_url(rule), method=method)
            if rule.rule.endswith(".json"):  # a JSON address answers JSON whatever is accepted
                assert response.status_code == 401 and response.is_json, rule.endpoint
                continue
            assert response.status_code == 302, (rule.endpoint, method, response.status_code)
            assert response.headers["Location"].startswith("/login"), rule.endpoint


def test_anonymous_json_request_gets_401_json(app, client):
    for rule in non_public_rules(app):
        for method in methods(rule):
            response = client.open(concrete_url(rule), method=method,
                                   headers={"Accept": "application/json"})
            assert response.status_code == 401, (rule.endpoint, method)
            assert response.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize("role", ["participant", "trainer"])
def test_non_admins_get_403_on_admin_endpoints(app, client, auth, make_user, role):
    auth.login_as(make_user(role=role))
    admin_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]
    assert admin_rules
    for rule in admin_rules:
        for method in methods(rule):
            response = client.open(concrete_url(rule), method=method)
            assert response.status_code == 403, (rule.endpoint, method)
            assert "Akses ditolak" in response.get_data(as_text=True)
        json_response = client.open(concrete_url(rule), method=methods(rule)[0],
                                    headers={"Accept": "application/json"})
        assert json_response.status_code == 403 and json_response.is_json
