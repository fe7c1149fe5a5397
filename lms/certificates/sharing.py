"""Links that share a certificate: WhatsApp (wa.me), LinkedIn's add-certification form, the admin's chat.

Every link carries the public verification address and what the public page shows anyway (name
of the training, organiser, number, issue month); never the NIP, the phone number of the holder
(only the admin's chat link goes *to* that number, on a staff page) or the e-mail address.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from lms.accounts.models import Institution, User
from lms.certificates import services
from lms.certificates.models import Certificate
from lms.trainings.reminders import normalise_phone, wa_link

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


@dataclass(frozen=True)
class Share:
    certificate_id: int
    verify_url: str
    whatsapp: str
    linkedin: str


def whatsapp_text(certificate: Certificate, url: str) -> str:
    data = certificate.data
    return (f"Saya telah menyelesaikan {data['training_title']} ({certificate.jp} JP) yang diselenggarakan "
            f"{data.get('institution_name', '')}. Sertifikat saya dapat diverifikasi di {url}")


def linkedin_url(certificate: Certificate, url: str) -> str:
    """LinkedIn's add-to-profile form, filled in as a certification (its documented query parameters)."""
    data = certificate.data
    return LINKEDIN_ADD + "?" + urlencode({
        "startTask": "CERTIFICATION_NAME", "name": data["training_title"],
        "organizationName": data.get("institution_name", ""), "issueYear": certificate.issue_date.year,
        "issueMonth": certificate.issue_date.month, "certUrl": url, "certId": certificate.number})


def share(certificate: Certificate, institution: Institution | None) -> Share:
    """The holder's sharing links (pass the institution: a list page then looks it up once)."""
    url = services.verify_url(certificate.code, institution)
    return Share(certificate.id, url, wa_link("", whatsapp_text(certificate, url)), linkedin_url(certificate, url))


def admin_text(certificate: Certificate, holder: User, mine_url: str, url: str) -> str:
    return (f"Yth. {holder.full_name}, sertifikat {certificate.data['training_title']} Anda (nomor "
            f"{certificate.number}) sudah terbit. Unduh di {mine_url} (menu Sertifikat Saya) atau periksa "
            f"keabsahannya di {url}. Terima kasih.")


def admin_whatsapp(certificate: Certificate, holder: User, mine_url: str,
                   institution: Institution | None) -> str | None:
    """The admin's link to the holder's WhatsApp chat with the certificate link, or None without a mobile number."""
    phone = normalise_phone(holder.phone)
    if phone is None:
        return None
    return wa_link(phone, admin_text(certificate, holder, mine_url, services.verify_url(certificate.code, institution)))
