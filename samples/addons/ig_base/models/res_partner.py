from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    ig_is_influencer = fields.Boolean(string="Influencer", default=False)
    ig_handle = fields.Char(string="Social handle", index=True)
