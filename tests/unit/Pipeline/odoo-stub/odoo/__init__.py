# TEST STAND-IN: just enough of the odoo package for pylint to import what the sample addons import
# (Odoo is not obtainable here; the odoo-test image of the real pipeline has the real one).
from . import api, fields, models, tests
