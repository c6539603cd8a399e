from django.urls import reverse

from resoc.accounts.models import User
from resoc.audit.models import AuditEntry


def test_admin_creates_an_officer_scoped_to_an_institution(client_for, admin_user, prison_a):
    response = client_for(admin_user).post(
        reverse("accounts:user_create"),
        {
            "username": "vesna",
            "role": "officer",
            "institutions": [prison_a.code],
            "password": "Sremski-Karlovci-1791",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="vesna")
    assert list(user.institutions.all()) == [prison_a]
    assert AuditEntry.objects.filter(action="user.created", actor=admin_user).exists()


def test_weak_password_is_refused_on_the_page(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("accounts:user_create"), {"username": "x", "role": "donor", "password": "12345678"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="x").exists()


def test_manager_cannot_manage_users(client_for, manager):
    assert client_for(manager).get(reverse("accounts:user_list")).status_code == 403
    assert client_for(manager).get(reverse("accounts:user_create")).status_code == 403


def test_admin_lists_users(client_for, admin_user, officer_a):
    response = client_for(admin_user).get(reverse("accounts:user_list"))
    assert response.status_code == 200 and "officer_a" in response.text
