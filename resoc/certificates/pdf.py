"""The certificate as an A4 PDF (WeasyPrint), in the holder's language, with a QR code."""

import logging
from functools import cache

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from resoc.certificates.models import Certificate

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# WeasyPrint announces each step of each PDF at INFO: thousands of lines for a cohort's zip.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def qr_data_uri(url: str) -> str:
    # PNG, not SVG: WeasyPrint draws an SVG QR code module by module, four times slower.
    return segno.make(url, error="m").png_data_uri(scale=10, border=0, dark="#1b2a3a")


def certificate_html(certificate: Certificate, *, language: str = "en") -> str:
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}; use one of {', '.join(LANGUAGES)}.")
    with translation.override(language):
        return render_to_string(
            "certificates/pdf.html",
            {
                "c": certificate,
                "verify_url": certificate.verify_url,
                "qr": qr_data_uri(certificate.verify_url),
                "LANGUAGE_CODE": language,
            },
        )


@cache
def _stylesheet():
    from weasyprint import CSS

    # Parsed once: parsing it again for each of a cohort's hundreds of PDFs costs a fifth.
    return CSS(string=render_to_string("certificates/pdf.css"))


def certificate_pdf(certificate: Certificate, *, language: str = "en") -> bytes:
    from weasyprint import HTML  # imported late: loading Pango takes a moment

    html = certificate_html(certificate, language=language)
    document = HTML(string=html, base_url=settings.RESOC_BASE_URL)
    return document.write_pdf(stylesheets=[_stylesheet()])
