# Translations whose format does not match their arguments: pylint-odoo's translation-not-lazy (W8301),
# translation-too-few-args (E8306) and translation-too-many-args (E8305) in models/items.py.
{
    "name": "IG OCA translation",
    "version": "17.0.1.0.0",
    "author": "Odoo Community Association (OCA)",
    "license": "LGPL-3",
    "depends": ["base"],
}
