"""Sharing a certificate: wa.me and LinkedIn links carry exactly the fields meant, encoded; no NIP anywhere."""

import html
from urllib.parse import parse_qs, urlsplit

from lms.certificates import services, sharing
from lms.extensions import db
from tests.certificates.conftest import NOW

BASE = "https://lms.diskominfo.contoh.go.id"
NAME = "Ni Luh Putu D'Souza Ñáñez"
TITLE = "Bimtek Keamanan Siber: Ta'aruf Data & Privasi — Lanjutan"


def issue_with_names(finished):
    finished.title = TITLE
    certificates = services.issue_all(finished, None, NOW, commit=db.session.commit)
    return certificates


def query(url):
    parts = urlsplit(url)
    return parts, {key: values[0] for key, values in parse_qs(parts.query, strict_parsing=True).items()}


def login(auth, user):
    from lms.accounts.services import hash_password

    user.password_hash = hash_password("rahasia-bimtek-1")
    db.session.commit()
    auth.login_as(user)


def test_whatsapp_and_linkedin_links_parse_back_to_their_fields(finished):
    certificate = issue_with_names(finished)[0]
    share = sharing.share(certificate, None)
    verify = f"{BASE}/verify/{certificate.code}"
    assert share.verify_url == verify

    parts, fields = query(share.whatsapp)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/") and list(fields) == ["text"]
    assert fields["text"] == (f"Saya telah menyelesaikan {TITLE} (24 JP) yang diselenggarakan "
                              f"{certificate.data['institution_name']}. Sertifikat saya dapat diverifikasi di {verify}")
    assert "'" not in parts.query and "&" not in parts.query and " " not in share.whatsapp

    parts, fields = query(share.linkedin)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    assert fields == {"startTask": "CERTIFICATION_NAME", "name": TITLE,
                      "organizationName": certificate.data["institution_name"], "issueYear": "2026",
                      "issueMonth": "11", "certUrl": verify, "certId": certificate.number}
    for url in (share.whatsapp, share.linkedin):
        assert certificate.data["nip"] not in url and (certificate.user.nip or "-") not in url


def test_sertifikat_saya_shows_the_share_buttons_and_a_link_to_copy(client, auth, finished):
    certificates = issue_with_names(finished)
    mine = certificates[0]
    services.revoke(certificates[0], "Salah tulis nama", None, NOW)
    db.session.commit()
    replacement = services.issue_for(finished, mine.user_id, None, NOW, replaces=mine)
    db.session.commit()
    login(auth, mine.user)
    page = client.get("/certificates/mine").get_data(as_text=True)
    share = sharing.share(replacement, None)
    assert f'href="{html.escape(share.whatsapp)}"' in page and "Bagikan ke WhatsApp" in page
    assert f'href="{html.escape(share.linkedin)}"' in page and "Tambahkan ke LinkedIn" in page
    assert f'value="{share.verify_url}" readonly' in page  # visible without JavaScript
    assert f'data-copy="link{replacement.id}" hidden>Salin tautan' in page and "copy_link.js" in page
    assert f"/certificates/{replacement.id}/openbadge.jwt" in page and "Unduh Open Badge (OB 3.0)" in page
    assert f"/certificates/{mine.id}/openbadge.jwt" not in page  # the revoked one: no credential, no sharing
    assert f"/verify/{mine.code}" in page and sharing.share(mine, None).linkedin not in html.unescape(page)
    assert mine.data["nip"] not in page


def test_admin_opens_the_participants_whatsapp_chat(client, auth, make_user, finished):
    certificates = issue_with_names(finished)
    with_phone = certificates[0]
    for certificate in certificates:
        certificate.user.phone = ""
    certificates[1].user.phone = "(021) 345-6789"  # a landline: no WhatsApp chat either
    with_phone.user.phone, with_phone.user.full_name = "0812-3456-7890", NAME
    db.session.commit()
    auth.login_as(make_user(role="admin"))
    page = html.unescape(client.get(f"/trainings/{finished.slug}/certificates").get_data(as_text=True))
    link = next(part.split('"')[0] for part in page.split('href="') if part.startswith("https://wa.me/"))
    parts, fields = query(link)
    assert parts.netloc == "wa.me" and parts.path == "/6281234567890"
    assert fields["text"] == (f"Yth. {NAME}, sertifikat {TITLE} Anda (nomor {with_phone.number}) sudah terbit. "
                              f"Unduh di {BASE}/certificates/mine (menu Sertifikat Saya) atau periksa keabsahannya "
                              f"di {BASE}/verify/{with_phone.code}. Terima kasih.")
    assert with_phone.data["nip"] not in link
    assert page.count("https://wa.me/") == 1
    assert "Tidak ada nomor ponsel peserta yang dapat dipakai: tautan WhatsApp tidak tersedia." in page


def test_the_holders_own_verification_page_offers_downloads_and_sharing(client, auth, finished):
    certificates = issue_with_names(finished)
    mine, other = certificates[0], certificates[1]
    page = client.get(f"/verify/{mine.code}").get_data(as_text=True)
    assert "Sertifikat Anda" not in page and "openbadge.jwt" not in page  # the public sees no holder links
    login(auth, mine.user)
    page = client.get(f"/verify/{mine.code}").get_data(as_text=True)
    share = sharing.share(mine, None)
    assert "Sertifikat Anda" in page and f"/certificates/{mine.id}/openbadge.jwt" in page
    assert f'href="{html.escape(share.whatsapp)}"' in page and f'href="{html.escape(share.linkedin)}"' in page
    assert "Sertifikat Anda" not in client.get(f"/verify/{other.code}").get_data(as_text=True)
