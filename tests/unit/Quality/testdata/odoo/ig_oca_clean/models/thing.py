from odoo import _, fields, models


class CleanThing(models.Model):
    _name = "ig.clean.thing"
    _description = "Clean thing"

    name = fields.Char()

    def label(self, count):
        return _("%s items", count)

    def find(self, name):
        self.env.cr.execute("SELECT id FROM ig_clean_thing WHERE name = %s", (name,))
        return self.env.cr.fetchall()
