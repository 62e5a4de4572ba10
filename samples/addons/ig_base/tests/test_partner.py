from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install", "ig_smoke")
class TestPartner(TransactionCase):
    def test_influencer_flag_defaults_false(self):
        partner = self.env["res.partner"].create({"name": "Ada"})
        self.assertFalse(partner.ig_is_influencer)
