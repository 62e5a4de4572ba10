from odoo.tests import TransactionCase


class TestInfluencer(TransactionCase):
    def test_create(self):
        partner = self.env["res.partner"].create({"name": "Grace"})
        influencer = self.env["ig.influencer"].create({"partner_id": partner.id, "platform": "tiktok", "followers": 10})
        self.assertEqual(influencer.followers, 10)
