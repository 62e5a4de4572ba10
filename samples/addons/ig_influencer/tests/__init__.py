from . import test_influencer
