# The negative control: nothing for flake8 or pylint-odoo to report.
{
    "name": "IG OCA clean",
    "version": "17.0.1.0.0",
    "author": "Odoo Community Association (OCA)",
    "license": "LGPL-3",
    "depends": ["base"],
}
