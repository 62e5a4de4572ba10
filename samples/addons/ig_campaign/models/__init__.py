from . import ig_campaign
