# A sample addon with deliberate lint findings for Invoke-OdooLint's tests. Do not fix them.
{
    'name': 'IG lint sample',
    'version': '17.0.1.0.0',
    'depends': ['base'],
    'license': 'LGPL-3',
    'installable': True,
}
