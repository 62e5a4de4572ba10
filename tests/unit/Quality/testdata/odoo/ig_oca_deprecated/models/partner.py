from odoo import models


class Partner(models.Model):
    _inherit = "res.partner"

    def name_get(self):
        return [(partner.id, partner.name) for partner in self]
