from . import partner_report
