import os
from odoo import models, fields


class Thing(models.Model):
    _name = 'ig.lint.thing'
    _description = 'Lint sample'

    name = fields.Char()

    def compute(self):
        if self.name == None:
            return undefined_name
        try:
            return int(self.name)
        except:
            return 0

    def other(self):
        x=1 
        return self
