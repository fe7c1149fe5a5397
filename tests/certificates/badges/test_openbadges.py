"""Open Badges 3.0: a holder's credential checked as an outside verifier would, with the published key and list."""

import base64
import gzip
import json
import os
import stat
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from joserfc import jwt
from joserfc.errors import BadSignatureError, SecurityWarning
from joserfc.jwk import KeySet, OKPKey

from lms.certificates import badges, services
from lms.extensions import db, limiter
from tests.certificates.conftest import NOW

BASE = "https://lms.diskominfo.contoh.go.id"  # the test app's PUBLIC_BASE_URL


def issued(finished):
    return services.issue_all(finished, None, NOW, commit=db.session.commit)


def login(auth, user):
    from lms.accounts.services import hash_password

    user.password_hash = hash_password("rahasia-bimtek-1")
    db.session.commit()
    auth.login_as(user)


def fetch(client, url):
    """GET a published address through the test client, as a verifier would fetch it over the network."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url
    response = client.get(parts.path)
    assert response.status_code == 200, (url, response.status_code)
    return response


def decode(token, keys):
    with warnings.catch_warnings():  # RFC 9864 renames EdDSA; the OB 3.0 ecosystem still uses the name
        warnings.simplefilter("ignore", SecurityWarning)
        return jwt.decode(token, keys, algorithms=["EdDSA"])


def unverified_header(token):
    first = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))


def status_bit(client, entry):
    """Fetch the entry's status list credential, check its signature, and read the entry's bit."""
    token = fetch(client, entry["statusListCredential"]).get_data(as_text=True)
    header = unverified_header(token)
    keys = KeySet.import_key_set(fetch(client, f"{BASE}/badges/jwks.json").get_json())
    assert header["alg"] == "EdDSA" and header["kid"] in {k.kid for k in keys.keys}
    listing = decode(token, keys).claims
    assert listing["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listing["issuer"] == f"{BASE}/badges/issuer" and listing["id"] == entry["statusListCredential"]
    subject = listing["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    encoded = subject["encodedList"]
    assert encoded.startswith("u")  # multibase base64url, no padding
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) >= 16 * 1024  # 131,072 entries at least
    index = int(entry["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1


def test_credential_verifies_independently_and_its_bit_flips_on_revocation(client, auth, finished):
    certificates = issued(finished)
    mine, other = certificates[0], certificates[1]
    mine.user.email = "ni.luh@contoh.go.id"  # a holder with an e-mail address gets a salted hash of it too
    login(auth, mine.user)
    response = client.get(f"/certificates/{mine.id}/openbadge.jwt")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    token = response.get_data(as_text=True)

    header = unverified_header(token)
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt"
    issuer = fetch(client, f"{BASE}/badges/issuer").get_json()
    assert issuer["id"] == f"{BASE}/badges/issuer" and issuer["type"] == ["Profile"]
    assert issuer["name"] == mine.data["institution_name"]
    method = next(m for m in issuer["verificationMethod"] if m["id"] == header["kid"])
    jwks = fetch(client, f"{BASE}/badges/jwks.json").get_json()
    published = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert published["kty"] == "OKP" and published["crv"] == "Ed25519" and "d" not in published
    assert method["publicKeyJwk"] == {k: published[k] for k in ("crv", "x", "kty")}

    vc = decode(token, OKPKey.import_key(method["publicKeyJwk"])).claims
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert vc["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0")
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["id"] == issuer["id"] == vc["iss"] and vc["issuer"]["type"] == ["Profile"]
    assert vc["validFrom"] == "2026-11-22T03:00:00Z" and vc["id"].startswith("urn:uuid:")
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and subject["name"] == mine.data["holder_name"]
    assert subject["creditsEarned"] == mine.jp == 24
    assert {"type": "IdentityObject", "identityType": "identifier", "hashed": False,
            "identityHash": f"urn:lms:sertifikat:{mine.code}"} in subject["identifier"]
    email = next(i for i in subject["identifier"] if i["identityType"] == "emailAddress")
    assert email["hashed"] and email["identityHash"].startswith("sha256$") and mine.user.email not in token
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["name"] == finished.title
    assert "24 JP" in achievement["description"]
    assert "80%" in achievement["criteria"]["narrative"] and "post-test" in achievement["criteria"]["narrative"]
    payload = json.dumps(vc)
    assert mine.data["nip"] not in payload and mine.user.nip not in payload
    assert vc["evidence"][0]["id"] == f"{BASE}/verify/{mine.code}"

    entry = vc["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"] == f"{BASE}/badges/status/0"
    theirs = badges.status_entry(other)
    assert entry["statusListIndex"] != theirs["statusListIndex"]
    assert status_bit(client, entry) == 0 and status_bit(client, theirs) == 0

    services.revoke(mine, "Data peserta keliru", None, NOW)
    db.session.commit()
    assert status_bit(client, entry) == 1 and status_bit(client, theirs) == 0
    refused = client.get(f"/certificates/{mine.id}/openbadge.jwt", follow_redirects=True)
    page = refused.get_data(as_text=True)
    assert refused.request.path == "/certificates/mine"
    assert f"Sertifikat {mine.number} sudah dicabut pada 22 November 2026" in page
    assert "kredensial Open Badges-nya tidak dapat diunduh" in page


def test_a_tampered_credential_or_another_key_fails(client, auth, finished):
    certificate = issued(finished)[0]
    login(auth, certificate.user)
    token = client.get(f"/certificates/{certificate.id}/openbadge.jwt").get_data(as_text=True)
    keys = KeySet.import_key_set(client.get("/badges/jwks.json").get_json())
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["credentialSubject"]["creditsEarned"] = 99
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        decode(f"{head}.{forged}.{signature}", keys)
    with pytest.raises(BadSignatureError):
        decode(token, OKPKey.generate_key("Ed25519"))


def test_only_the_holder_downloads_the_credential(client, auth, make_user, finished):
    certificates = issued(finished)
    url = f"/certificates/{certificates[0].id}/openbadge.jwt"
    assert client.get(url).status_code == 302  # to the login page
    login(auth, certificates[1].user)
    assert client.get(url).status_code == 403
    trainer = make_user(role="trainer")
    finished.trainers.append(trainer)
    db.session.commit()
    auth.logout()
    auth.login_as(trainer)
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login_as(make_user(role="admin"))
    assert client.get(url).status_code == 403  # the credential is the holder's to carry
    assert client.get("/certificates/999999/openbadge.jwt").status_code == 404


def test_key_lives_in_the_instance_folder_with_mode_0600_and_never_in_the_database(app, finished):
    key = badges.signing_key()
    path = Path(app.instance_path) / badges.KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert key.as_dict(private=True)["d"]
    private = path.read_bytes()
    assert b"PRIVATE KEY" in private
    issued(finished)
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            assert all(private.strip() not in (v if isinstance(v, bytes) else str(v).encode()) for v in row)


@pytest.fixture
def configured_key(app):
    saved = app.config["BADGE_SIGNING_KEY"], app.extensions.pop(badges._APP_KEY, None)

    def configure(pem):
        app.config["BADGE_SIGNING_KEY"] = pem
        app.extensions.pop(badges._APP_KEY, None)

    yield configure
    app.config["BADGE_SIGNING_KEY"] = saved[0]
    app.extensions.pop(badges._APP_KEY, None)
    if saved[1] is not None:
        app.extensions[badges._APP_KEY] = saved[1]


def test_a_key_from_the_environment_wins_and_a_wrong_one_is_named(client, configured_key):
    generated = OKPKey.generate_key("Ed25519")
    configured_key(generated.as_pem(private=True).decode())
    published = client.get("/badges/jwks.json").get_json()["keys"][0]
    assert published["x"] == generated.as_dict(private=False)["x"]
    ec = generate_private_key(SECP256R1()).private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption())
    configured_key(ec.decode())
    with pytest.raises(badges.BadgeKeyError, match="LMS_BADGE_SIGNING_KEY bukan kunci Ed25519"):
        badges.signing_key()
    configured_key("bukan kunci")
    with pytest.raises(badges.BadgeKeyError, match="bukan kunci privat PEM"):
        badges.signing_key()


def test_status_lists_are_counted_and_rate_limited(client, finished):
    issued(finished)
    assert client.get("/badges/status/1").status_code == 404
    limiter.reset()
    codes = [client.get("/badges/jwks.json").status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429
    limiter.reset()


def test_every_issued_certificate_has_its_own_index(finished):
    certificates = issued(finished)
    indexes = [c.status_list_index for c in certificates]
    assert None not in indexes and len(set(indexes)) == len(indexes)
