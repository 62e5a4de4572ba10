from . import ig_influencer
