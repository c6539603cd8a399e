import os
import subprocess
import sys

from django.urls import reverse

from resoc.people.tests.factories import prisoner_at


def test_home_counts_only_what_is_in_scope(client_for, officer_a, prison_a, prison_b):
    prisoner_at(prison_a)
    prisoner_at(prison_b)
    response = client_for(officer_a).get(reverse("home"))
    assert response.status_code == 200
    counts = {str(label): n for label, n, _ in response.context["counts"]}
    assert counts["People"] == 1
    assert counts["Institutions"] == 1


def test_donor_home_has_no_people_count(client_for, donor, prison_a):
    prisoner_at(prison_a)
    response = client_for(donor).get(reverse("home"))
    assert "People" not in {str(label) for label, _, _ in response.context["counts"]}


def test_home_requires_login(client):
    assert client.get(reverse("home")).status_code == 302


def test_healthz_answers_without_login(client):
    assert client.get("/healthz").content == b"ok"


def test_pages_carry_a_strict_content_security_policy(client_for, manager):
    response = client_for(manager).get(reverse("home"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"


def test_pages_load_no_asset_from_another_host(client_for, manager):
    text = client_for(manager).get(reverse("home")).text
    assert "https://" not in text and "http://" not in text.replace("http://testserver", "")


def test_language_switcher_translates_the_page(client_for, manager):
    client = client_for(manager)
    client.post(reverse("set_language"), {"language": "sr-latn", "next": "/"})
    assert client.get(reverse("home")).status_code == 200


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESOC_")}
    env.update(DJANGO_SETTINGS_MODULE="resoc.settings", RESOC_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "resoc.manage", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "RESOC_SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_home_shows_a_trainers_running_cohorts_and_nothing_of_grants(client_for, prison_a):
    import datetime

    from resoc.accounts.models import Role
    from resoc.accounts.tests.factories import UserFactory
    from resoc.training.tests.factories import CohortFactory

    trainer = UserFactory(role=Role.TRAINER, institutions=[prison_a])
    today = datetime.date.today()
    mine = CohortFactory(institution=prison_a, start=today - datetime.timedelta(days=3), end=today)
    mine.trainers.add(trainer)
    CohortFactory(institution=prison_a, start=today, end=today)  # not theirs

    text = client_for(trainer).get(reverse("home")).text
    assert "Cohorts running" in text and "Applications to score" not in text
    assert '<span class="number">1</span>Cohorts running' in text
