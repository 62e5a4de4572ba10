# Written for Odoo 16.0: against 17.0, pylint-odoo's manifest-version-format (C8106) on the version and
# deprecated-name-get (E8146, Odoo 17.0+) in models/partner.py; against 16.0, neither.
{
    "name": "IG OCA deprecated",
    "version": "16.0.1.0.0",
    "author": "Odoo Community Association (OCA)",
    "license": "LGPL-3",
    "depends": ["base"],
}
