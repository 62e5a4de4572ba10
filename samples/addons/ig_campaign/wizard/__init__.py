from . import ig_campaign_close
