"""What a certificate says in public: never the institution, its town or any word of custody."""

import io
import json
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from resoc.certificates.models import Certificate
from resoc.certificates.pdf import certificate_pdf
from resoc.certificates.wording import custody_mentions, fold

LANGUAGES = ["en", "sr-latn", "bs", "sq"]
# The words the issue names, in English and the local languages; `custody_mentions` must find
# each of them (so the check below would catch them), and none may appear in what we publish.
CUSTODY_WORDS = [
    "prison",
    "prisoner",
    "inmate",
    "convict",
    "custody",
    "correctional",
    "detention",
    "penitentiary",
    "sentence",
    "zatvor",
    "zatvorenik",
    "osuđen",
    "osuđenik",
    "kazneno-popravni",
    "KPZ",
    "KPD",
    "zavod",
    "pritvor",
    "kazna",
    "burg",
    "i burgosur",
    "i dënuar",
    "paraburgim",
    "institucion korrektues",
]
# A fixed verification code: a random one could spell a short word like "kpz" by chance.
CODE = "a1B2c3D4e5F6g7H8i9J0kL"


def _text_of_pdf(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _text_of_html(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def _assert_says_nothing_of_custody(text: str, institution) -> None:
    folded = fold(text)
    places = [institution.name, institution.code, institution.municipality, "Mitrovica"]
    assert custody_mentions(text, also=places) == [], text
    for name in places:
        assert fold(name) not in folded, name


@pytest.fixture
def fixed_code(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(code=CODE)
    certificate.refresh_from_db()
    return certificate


def test_the_word_list_catches_every_custody_word():
    for word in CUSTODY_WORDS:
        assert custody_mentions(f"Course for the {word} of the year"), word
    assert custody_mentions("Kurs u KPZ Zenica za osuđena lica") != []
    assert custody_mentions("ЗАТВОРЕНИК") != []


@pytest.mark.parametrize("language", LANGUAGES)
def test_pdf_of_a_course_held_in_prison_never_mentions_it(fixed_code, prison_b, language):
    text = _text_of_pdf(certificate_pdf(fixed_code, language=language))
    assert "Dragan Kovačević" in text
    assert "Metalwork basics (MIG/MAG welding)" in text
    assert "Tehnička škola Nikola Tesla" in text
    assert "120" in text
    assert fixed_code.number in text
    assert f"http://testserver/verify/{CODE}" in text.replace("\n", "")
    _assert_says_nothing_of_custody(text, prison_b)


@pytest.mark.parametrize("language", LANGUAGES)
def test_verification_page_never_mentions_the_prison(client, fixed_code, prison_b, language):
    response = client.get(f"/verify/{CODE}", {"language": language}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{language}"' in html
    text = _text_of_html(html)
    assert "Dragan Kovačević" in text
    assert "Metalwork basics (MIG/MAG welding)" in text
    assert "Tehnička škola Nikola Tesla" in text
    _assert_says_nothing_of_custody(text, prison_b)


def test_public_badge_never_mentions_the_prison(client, fixed_code, prison_b):
    response = client.get(f"/verify/{CODE}/badge.json")
    assert response.status_code == 200
    badge = response.json()
    assert badge["credentialSubject"]["identifier"][0]["identityHash"] == "Dragan Kovačević"
    # The course description named the prison: the badge leaves it out.
    text = json.dumps(badge, ensure_ascii=False)
    _assert_says_nothing_of_custody(text, prison_b)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Certificate", "This certifies that", "120 hours"]),
        ("sr-latn", ["Sertifikat", "za uspešno završen kurs", "120 časova"]),
        ("bs", ["Certifikat", "za uspješno završen kurs", "120 sati"]),
        ("sq", ["Certifikatë", "Kjo certifikatë i jepet", "120 orë"]),
    ],
)
def test_the_certificate_speaks_the_chosen_language(fixed_code, language, words):
    text = _text_of_pdf(certificate_pdf(fixed_code, language=language))
    for word in words:
        assert word in text


def test_unknown_code_answers_404(client, certificate):
    assert client.get("/verify/NoSuchCode0000000000000").status_code == 404
    assert client.get("/verify/NoSuchCode0000000000000/badge.json").status_code == 404


def test_verification_page_reaches_only_the_certificate_fields(client, fixed_code):
    html = client.get(reverse("certificates:verify", args=[CODE])).content.decode()
    assert fixed_code.enrollment.person.ref not in html
    assert fixed_code.enrollment.cohort.code not in html
