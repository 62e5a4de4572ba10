-- Run by Copy-OdooDatabase on every copy of another environment's database (RefreshSqlFile), inside the copy's
-- own transaction, after odoo-bin neutralize: no real influencer keeps a reachable address outside production.
-- No begin/commit here (the cmdlet refuses them): the whole file commits or nothing does.
update res_partner
   set email = 'partner-' || id || '@example.invalid',
       phone = null
 where email is not null or phone is not null;
