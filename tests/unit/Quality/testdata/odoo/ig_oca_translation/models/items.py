from odoo import _, models


class Items(models.Model):
    _name = "ig.items"
    _description = "Items"

    def count_label(self, count):
        return _("%s items" % count)

    def progress_label(self, done):
        return _("%s of %s done", done)

    def item_label(self, count, total):
        return _("%s item", count, total)
