# No author and no license: pylint-odoo's manifest-required-author (C8101) and manifest-required-key (C8102).
{
    "name": "IG OCA manifest",
    "version": "17.0.1.0.0",
    "depends": ["base"],
    "installable": True,
}
