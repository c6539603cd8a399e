import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from resoc.accounts.tests.factories import UserFactory

CDN_HOSTS = ("cdn.", "jsdelivr", "unpkg", "cdnjs", "googleapis")


@pytest.fixture
def clean_stats():
    GENERATOR_STATS.reset()
    yield GENERATOR_STATS
    GENERATOR_STATS.reset()


def test_schema_generates_without_warnings_and_validates(clean_stats, capsys):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert not clean_stats, capsys.readouterr().err
    paths = set(schema["paths"])
    for path in (
        "/api/v1/persons/",
        "/api/v1/persons/{ref}/",
        "/api/v1/countries/{code}/",
        "/api/v1/institutions/{code}/",
        "/api/v1/workshops/{code}/",
        "/api/v1/organisations/{code}/",
        "/api/v1/cycles/{code}/",
        "/api/v1/exchange-rates/{id}/",
    ):
        assert path in paths


def test_spectacular_command_validates_and_fails_on_no_warning(clean_stats, tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/persons/" in out.read_text()


def test_consent_evidence_is_not_in_the_schema(clean_stats):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "evidence" not in schema["components"]["schemas"]["Consent"]["properties"]


@pytest.mark.django_db
def test_schema_needs_a_login(client):
    assert client.get("/api/schema/").status_code in (401, 403)


def test_schema_is_served_to_a_logged_in_user(client_for, manager):
    assert client_for(manager).get("/api/schema/").status_code == 200


@pytest.mark.django_db
def test_docs_need_a_login(client):
    assert client.get("/api/docs/").status_code in (401, 403)


def test_docs_load_swagger_from_our_own_static_files(client_for, donor):
    client = client_for(donor)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not any(host in html for host in CDN_HOSTS)
    # No inline script: the content security policy allows only our own files.
    assert "<script>" not in html
    assert "/api/docs/?script=" in html
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_docs_refuse_a_session_without_second_factor(client, db):
    user = UserFactory(role="manager", with_totp=False)
    client.force_login(user)
    assert client.get("/api/docs/").status_code == 403
