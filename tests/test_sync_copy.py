import pytest
from django.core.management import call_command

from syncapp.models import Client, Service, SyncRun


@pytest.mark.django_db(databases=["default", "facturation"], transaction=True)
def test_copy_brings_every_fac_row_into_ops(fac):
    first = fac.insert("clients", {"nom": "Olam Gabon 🚢", "ville": "Owendo", "notes": "a 'quote' \\ back"})
    fac.insert("services", {"code": "MAN-20", "nom": "Manutention 20'", "prix_unitaire": "85000.00"})

    call_command("sync_from_facturation")

    client = Client.objects.get(pk=first)
    assert (client.nom, client.ville, client.notes) == ("Olam Gabon 🚢", "Owendo", "a 'quote' \\ back")
    assert client.pays == "Gabon" and client.synced_at is not None
    assert str(Service.objects.get().prix_unitaire) == "85000.00"
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.SUCCESS
    assert run.inserted == 2
    assert {r.table: r.inserted for r in run.results.all()}["clients"] == 1
