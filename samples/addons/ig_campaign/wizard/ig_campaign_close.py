from odoo import models


class IgCampaignClose(models.TransientModel):
    _name = "ig.campaign.close"
    _description = "Close a campaign"

    def action_close(self):
        self.env["ig.campaign"].browse(self.env.context.get("active_ids", [])).write({"state": "done"})
