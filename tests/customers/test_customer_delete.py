import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer, CustomerDocument
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def test_delete_asks_for_confirmation_first(login, alice, alices_customer):
    response = login(alice).get(reverse("customers:customer-delete", args=[alices_customer.pk]))
    assert "确认删除" in response.content.decode()
    assert Customer.objects.filter(pk=alices_customer.pk).exists()


def test_confirmed_delete_removes_customer_with_contacts_and_files(
    login, alice, alices_customer, django_capture_on_commit_callbacks
):
    make_contact(alices_customer)
    document = CustomerDocument.objects.create(
        customer=alices_customer, title="合同", file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 test")
    )
    storage, name = document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = login(alice).post(reverse("customers:customer-delete", args=[alices_customer.pk]))
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=alices_customer.pk).exists()
    assert not storage.exists(name)


def test_viewer_cannot_delete(login, viewer, alices_customer):
    alices_customer.shared_with.add(viewer)
    response = login(viewer).post(reverse("customers:customer-delete", args=[alices_customer.pk]))
    assert response.status_code == 403
    assert Customer.objects.filter(pk=alices_customer.pk).exists()
