"""The two databases by name, as settings.DATABASES names them.

`facturation` is FAC, the billing application's database: a read-only source. `default` is
OPS, the operations application's database, where the mirror and the sync's records live.
"""

FAC_ALIAS = "facturation"
OPS_ALIAS = "default"
