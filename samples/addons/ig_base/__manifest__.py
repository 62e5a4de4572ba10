# -*- coding: utf-8 -*-
# InfluenceGen base: shared settings and the partner extensions every other addon builds on.
{
    "name": "InfluenceGen Base",
    "summary": "Common models, settings and security groups of InfluenceGen",
    "version": "17.0.1.2.0",
    "category": "Marketing/InfluenceGen",
    "author": "InfluenceGen",
    "website": "https://influencegen.example",
    "license": "LGPL-3",
    "depends": ["base", "mail"],
    "data": [
        "security/ig_security.xml",
        "security/ir.model.access.csv",
        "data/ig_config_data.xml",
        "views/res_partner_views.xml",
    ],
    "installable": True,
    "application": False,
}
