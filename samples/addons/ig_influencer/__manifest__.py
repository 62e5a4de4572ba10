{
    'name': 'InfluenceGen Influencers',
    'summary': 'Influencer profiles, audiences and rates',
    'version': '17.0.1.0.3',
    'license': 'LGPL-3',
    'author': 'InfluenceGen',
    'depends': ['ig_base', 'mail', 'contacts'],
    'data': [
        'security/ir.model.access.csv',
        'views/ig_influencer_views.xml',
        'data/ig_platform_data.xml',
    ],
    'demo': [],
    'installable': True,
}
