# cr.execute with string formatting: pylint-odoo's sql-injection (E8103) in models/partner_report.py.
{
    "name": "IG OCA SQL",
    "version": "17.0.1.0.0",
    "author": "Odoo Community Association (OCA)",
    "license": "LGPL-3",
    "depends": ["base"],
}
