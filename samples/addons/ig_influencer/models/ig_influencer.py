from odoo import api, fields, models


class IgInfluencer(models.Model):
    _name = "ig.influencer"
    _description = "Influencer"
    _inherit = ["mail.thread"]

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    platform = fields.Selection(
        [("instagram", "Instagram"), ("tiktok", "TikTok"), ("youtube", "YouTube")],
        required=True,
    )
    followers = fields.Integer()
    rate = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)

    @api.constrains("followers")
    def _check_followers(self):
        for record in self:
            if record.followers < 0:
                raise ValueError("followers cannot be negative")
