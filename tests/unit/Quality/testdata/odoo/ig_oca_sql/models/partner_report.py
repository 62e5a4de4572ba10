from odoo import models


class PartnerReport(models.Model):
    _name = "ig.partner.report"
    _description = "Partner report"

    def find_by_name(self, name):
        self.env.cr.execute("SELECT id FROM res_partner WHERE name = '%s'" % name)
        return self.env.cr.fetchall()

    def find_by_name_safely(self, name):
        self.env.cr.execute("SELECT id FROM res_partner WHERE name = %s", (name,))
        return self.env.cr.fetchall()
