using System.Collections.Generic;
using System.IO;
using InfluenceGen.Deploy.Tests.Deploy;

namespace InfluenceGen.Deploy.Tests.Environments
{
    /// <summary>Odoo-shaped data for copies: partners with contact data, active crons and mail servers, an identity.</summary>
    public static class Seed
    {
        public static void Odoo(DeployTarget t, string marker, int partners = 50)
        {
            t.Psql(t.Database,
                "create table if not exists res_partner (id serial primary key, name varchar not null, email varchar, phone varchar);" +
                "create index if not exists res_partner_email_idx on res_partner (email);" +
                "create table if not exists ir_cron (id serial primary key, name varchar, active boolean);" +
                "create table if not exists ir_mail_server (id serial primary key, name varchar, active boolean);" +
                "create table if not exists ig_campaign (id serial primary key, partner_id int references res_partner(id), name varchar);" +
                $"insert into res_partner (name, email, phone) select '{marker} ' || g, 'influencer' || g || '@{marker}.example.com', '+41 79 000 ' || g from generate_series(1, {partners}) g;" +
                $"insert into ig_campaign (partner_id, name) select id, 'campaign of ' || name from res_partner;" +
                "insert into ir_cron (name, active) values ('mail queue', true), ('payouts', true);" +
                "insert into ir_mail_server (name, active) values ('smtp', true);" +
                $"insert into ir_config_parameter (key, value) values ('database.uuid', 'uuid-{marker}'), ('database.secret', 'secret-{marker}'), ('web.base.url', 'https://{marker}.example.com');");
        }

        public static string Param(DeployTarget t, string key) => t.Psql(t.Database, $"select coalesce((select value from ir_config_parameter where key = '{key}'), '')").Trim();

        public static string Sql(DeployTarget t, string db, string sql) => t.Psql(db, sql).Trim();

        /// <summary>The repository's anonymisation file (samples/refresh/anonymize.sql).</summary>
        public static string AnonymizeSql => File.ReadAllText(Path.Combine(Harness.Repo.Root, "samples", "refresh", "anonymize.sql"));
    }
}
