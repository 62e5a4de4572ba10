from odoo import fields, models


class IgCampaign(models.Model):
    _name = "ig.campaign"
    _description = "Influencer campaign"

    name = fields.Char(required=True)
    influencer_ids = fields.Many2many("ig.influencer")
    budget = fields.Float()
    state = fields.Selection([("draft", "Draft"), ("running", "Running"), ("done", "Done")], default="draft")
