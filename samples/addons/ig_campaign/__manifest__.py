{
    "name": "InfluenceGen Campaigns",
    "summary": """Campaigns that book influencers, """
               'with briefs and approvals',
    "version": "17.0.2.0.0",
    "license": "LGPL-3",
    "depends": [
        "ig_influencer",
        "sale",  # campaigns are sold
    ],
    "data": [
        "security/ir.model.access.csv",
        "views/ig_campaign_views.xml",
        "wizard/ig_campaign_close_views.xml",
    ],
    "installable": True,
    "auto_install": False,
}
