import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resoc.audit.models import AuditEntry
from resoc.imports.views import SESSION_KEY
from resoc.registry.models import ExchangeRate

pytestmark = pytest.mark.django_db

RATES = b"currency;valid_from;units_per_eur\nRSD;01.01.2024;117,25\nBAM;2024-01-01;1.95583\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, content=RATES, kind="exchange-rates", name="rates.csv"):
    return client.post(
        reverse("imports:upload"),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_manager_previews_then_confirms_an_import(client_for, manager, media):
    client = client_for(manager)

    preview = upload(client)

    assert preview.status_code == 200
    assert preview.templates[0].name == "imports/preview.html"
    assert preview.context["result"].counts == {"created": 2, "updated": 0, "unchanged": 0}
    assert b"RSD \xc2\xb7 2024-01-01" in preview.content
    assert ExchangeRate.objects.count() == 0
    token = preview.context["token"]
    assert [p.name for p in (media / "imports").iterdir()] == [f"{manager.pk}-{token}.csv"]

    done = client.post(reverse("imports:confirm"), {"token": token}, follow=True)

    assert done.redirect_chain[-1][0] == reverse("imports:upload")
    assert "2 created, 0 updated, 0 unchanged" in done.content.decode()
    assert ExchangeRate.objects.count() == 2
    applied = AuditEntry.objects.get(action="import.applied")
    assert (applied.actor, applied.detail["file"]) == (manager, "rates.csv")
    assert list((media / "imports").iterdir()) == []
    again = client.post(reverse("imports:confirm"), {"token": token}, follow=True)
    assert "expired" in again.content.decode()
    assert ExchangeRate.objects.count() == 2


def test_admin_may_import(client_for, admin_user):
    response = client_for(admin_user).get(reverse("imports:upload"))

    assert response.status_code == 200
    assert b"exchange-rates" in response.content


@pytest.mark.parametrize("persona", ["officer_a", "donor", "coordinator_rs", "auditor"])
def test_other_roles_get_403(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(reverse("imports:upload")).status_code == 403
    assert upload(client).status_code == 403
    assert client.post(reverse("imports:confirm"), {"token": "x" * 43}).status_code == 403
    assert client.get(reverse("imports:template", args=["persons"])).status_code == 403
    assert ExchangeRate.objects.count() == 0


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("imports:upload"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_bad_file_shows_the_error_table_and_keeps_nothing(client_for, manager, media):
    content = b"currency,valid_from,units_per_eur\nRSD,2024-02-30,1\n"

    response = upload(client_for(manager), content)

    assert response.status_code == 200
    assert response.templates[0].name == "imports/upload.html"
    html = response.content.decode()
    assert "<td>2</td><td>valid_from</td><td>“2024-02-30” is not a valid date.</td>" in html
    assert list((media / "imports").iterdir()) == []
    assert not client_for(manager).session.get(SESSION_KEY)


def test_another_users_token_is_not_accepted(client_for, manager, admin_user, client):
    token = upload(client_for(manager)).context["token"]
    client.logout()

    response = client_for(admin_user).post(
        reverse("imports:confirm"), {"token": token}, follow=True
    )

    assert "expired" in response.content.decode()
    assert ExchangeRate.objects.count() == 0


def test_a_client_sent_path_is_ignored(client_for, manager):
    client = client_for(manager)
    upload(client)

    for token in ["../../etc/passwd", f"{manager.pk}-x.csv", ""]:
        response = client.post(reverse("imports:confirm"), {"token": token}, follow=True)
        assert "expired" in response.content.decode()
    assert ExchangeRate.objects.count() == 0


def test_cancel_discards_the_upload(client_for, manager, media):
    client = client_for(manager)
    token = upload(client).context["token"]

    client.post(reverse("imports:confirm"), {"token": token, "cancel": "1"})

    assert list((media / "imports").iterdir()) == []
    assert ExchangeRate.objects.count() == 0


def test_xlsx_upload_and_wrong_extension(client_for, manager, make_xlsx):
    client = client_for(manager)
    path = make_xlsx([["code", "name", "kind"], ["EU", "European Union", "donor"]])

    preview = upload(client, path.read_bytes(), kind="organisations", name="orgs.xlsx")
    refused = upload(client, b"x", name="rates.txt")

    assert preview.context["result"].counts["created"] == 1
    assert refused.context["form"].errors["file"] == ["Use a .csv or .xlsx file."]


def test_template_download(client_for, manager):
    response = client_for(manager).get(reverse("imports:template", args=["cycle-funders"]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cycle-funders-template.xlsx"'
    assert client_for(manager).get("/imports/templates/nope.xlsx").status_code == 404
