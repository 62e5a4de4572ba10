from odoo.tests import TransactionCase


class TestCampaign(TransactionCase):
    def test_default_state(self):
        self.assertEqual(self.env["ig.campaign"].create({"name": "Spring"}).state, "draft")
