import pytest
from django.db import connections

from syncapp.models import FacClient


@pytest.mark.django_db(databases=["default", "facturation"])
def test_reads_fac_through_reader(fac):
    fac.insert("clients", {"nom": "Comilog", "pays": "Gabon", "type": "Entreprise"})
    assert list(FacClient.objects.values_list("nom", flat=True)) == ["Comilog"]
    assert connections["facturation"].settings_dict["NAME"]
