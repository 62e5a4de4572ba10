using System;
using System.Globalization;
using System.Linq;
using System.Text;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Deploy.Steps;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Environments
{
    /// <summary>
    /// The scripts of a database copy, sent on stdin like every target script (passwords only inside, in a 0600
    /// PGPASSFILE). Names of the temporary databases carry the copy's id, so a compensation finds them by name.
    /// </summary>
    internal sealed class CopyScripts
    {
        private readonly TargetScripts _src;
        private readonly TargetScripts _dst;
        private readonly string _id;

        public CopyScripts(DeploySettings source, DeploySettings destination, string id)
        {
            _src = new TargetScripts(source); _dst = new TargetScripts(destination); _id = id;
        }

        private DeploySettings D => _dst.Settings;
        private static string Q(string v) => TargetScripts.Q(v);
        private string Short => D.Database.Length > 40 ? D.Database.Substring(0, 40) : D.Database;

        public string NewDatabase => Short + "_igcopy_" + _id;
        public string OldDatabase => Short + "_igold_" + _id;
        public string DumpPath => D.Root + "/backups/" + D.Database + "-copy-" + _id + ".dump";
        public string FilestoreTar => D.Root + "/backups/" + D.Database + "-copy-" + _id + ".filestore.tar";
        public string NewFilestore => D.FilestorePath!.TrimEnd('/') + ".igcopy-" + _id;
        public string OldFilestore => D.FilestorePath!.TrimEnd('/') + ".igold-" + _id;

        // ---- source --------------------------------------------------------------------------------------------

        /// <summary>The source's database size and (with the filestore) the filestore's, in bytes.</summary>
        public string SourceSize(bool filestore)
        {
            var b = new StringBuilder();
            b.Append("size=$(").Append(TargetScripts.Psql).Append(" -c 'select pg_database_size(current_database())' 2>&1) || { echo \"@@PSQL_FAILED $size\"; exit 53; }\necho \"@@SIZE $size\"\n");
            b.Append("echo \"@@NEUTRALIZED $(").Append(TargetScripts.Psql).Append(" -c \"select value from ir_config_parameter where key = 'database.is_neutralized'\" 2>/dev/null)\"\n");
            if (filestore)
                b.Append("[ -d ").Append(Q(_src.Settings.FilestorePath!)).Append(" ] || { echo '@@NO_FILESTORE'; exit 54; }\n")
                 .Append("echo \"@@FS $(( $(du -sk ").Append(Q(_src.Settings.FilestorePath!)).Append(" | cut -f1) * 1024 ))\"\n");
            return _src.Wrap(b.ToString());
        }

        /// <summary>pg_dump -Fc of the source database to standard output (nothing written on the source).</summary>
        public string Dump() => _src.Wrap("pg_dump -Fc\n");

        /// <summary>The source's filestore as a tar stream on standard output.</summary>
        public string FilestoreStream() => _src.Wrap("tar -C " + Q(_src.Settings.FilestorePath!) + " -cf - .\n", database: false);

        // ---- destination ---------------------------------------------------------------------------------------

        /// <summary>Free bytes (and mount points) where the dump, the restored database and the filestore go.</summary>
        public string DestinationSpace(bool filestore)
        {
            var b = new StringBuilder("umask 077\nmkdir -p \"$ROOT/backups\" && chmod 700 \"$ROOT/backups\" || exit 20\n");
            b.Append("df1() { df -Pk \"$1\" | awk 'NR==2 {print $4 * 1024, $6}'; }\n");
            b.Append("echo \"@@BACKUPS $(df1 \"$ROOT/backups\")\"\n");
            // the PostgreSQL data directory: readable only by a superuser or pg_read_all_settings, and only local
            b.Append("dd=$(").Append(TargetScripts.Psql).Append(" -d postgres -c 'show data_directory' 2>/dev/null) && [ -d \"$dd\" ] && echo \"@@PGDATA $(df1 \"$dd\")\"\n");
            if (filestore)
                b.Append("p=").Append(Q(D.FilestorePath!)).Append("; mkdir -p \"$(dirname \"$p\")\" && echo \"@@FILESTORE $(df1 \"$(dirname \"$p\")\")\"\n");
            b.Append("true\n");
            return _dst.Wrap(b.ToString());
        }

        /// <summary>Creates the dump file (0600, in the 0700 backups folder) that the stream is uploaded into.</summary>
        public string PrepareUpload(string path) => _dst.Wrap(
            "umask 077\nmkdir -p \"$ROOT/backups\" && chmod 700 \"$ROOT/backups\" && : > " + Q(path + ".tmp") + " && chmod 600 " + Q(path + ".tmp") + " || exit 20\n", database: false);

        /// <summary>Checks the uploaded bytes against the sha256 the client computed, then gives the file its name.</summary>
        public string SealUpload(string path, string sha256) => _dst.Wrap(
            "got=$(sha256sum " + Q(path + ".tmp") + " | cut -d' ' -f1)\n" +
            "[ \"$got\" = " + Q(sha256) + " ] || { rm -f " + Q(path + ".tmp") + "; echo \"@@SHA_MISMATCH $got\"; exit 55; }\n" +
            "mv -f " + Q(path + ".tmp") + " " + Q(path) + "\n", database: false);

        public string RemoveFiles(params string[] paths) => _dst.Wrap("rm -rf " + string.Join(" ", paths.SelectMany(p => new[] { Q(p), Q(p + ".tmp") })) + "\n", database: false);

        /// <summary>The neutralize command for the new database: NeutralizeCommand, or the Odoo CLI with the
        /// subcommand first (odoo-bin -c conf -d db neutralize is refused by Odoo: "unrecognized parameters").</summary>
        public string NeutralizeCommand()
        {
            if (!string.IsNullOrEmpty(D.NeutralizeCommand))
                return D.ExpandTemplate(D.NeutralizeCommand!.Replace("{db}", "\u0001")).Replace("\u0001", "\"$NEW\"");
            return OdooCli.WithSubcommand(D.OdooCli, "neutralize") + " -d \"$NEW\"";
        }

        /// <summary>
        /// Restores the dump into a new database (pg_restore's status and the catalog checked against the dump's
        /// TOC, as <see cref="DatabaseRestore"/> does), neutralizes it, then in one transaction gives it a fresh
        /// database.uuid and database.secret, the destination's web.base.url and the repository's statements.
        /// Any failure drops the new database: nothing the live one sees has changed.
        /// </summary>
        public string Prepare(bool neutralize, string? repositorySql, bool filestore)
        {
            string psql = TargetScripts.Psql;
            var b = new StringBuilder("cd \"$ROOT\" || exit 20\n");
            b.Append("DUMP=").Append(Q(DumpPath)).Append("; NEW=").Append(Q(NewDatabase)).Append('\n');
            b.Append("fail() { dropdb --maintenance-db=postgres --if-exists \"$NEW\" >/dev/null 2>&1; echo \"$1\"; exit $2; }\n");
            b.Append("expected=$(").Append(DatabaseRestore.TocCounts).Append(") || { echo '@@PG_RESTORE_EXIT list'; exit 65; }\n");
            b.Append("dropdb --maintenance-db=postgres --if-exists \"$NEW\" 2>/dev/null\n");
            b.Append("createdb --maintenance-db=postgres -T template0 \"$NEW\" 2>&1 || { echo '@@CREATEDB_FAILED'; exit 64; }\n");
            // a dump file (not a pipe) lets pg_restore work in parallel
            b.Append("j=$(nproc 2>/dev/null || echo 1); [ \"$j\" -gt 4 ] && j=4\n");
            b.Append("pg_restore --no-owner --no-privileges --exit-on-error -j \"$j\" -d \"$NEW\" \"$DUMP\" 2>&1; rc=$?\n");
            b.Append("[ $rc -eq 0 ] || fail \"@@PG_RESTORE_EXIT $rc\" 65\n");
            b.Append("actual=$(").Append(psql).Append(" -d \"$NEW\" -c \"").Append(DatabaseRestore.CatalogCounts).Append("\") || fail '@@VERIFY_FAILED catalog unreadable' 68\n");
            b.Append("[ \"$actual\" = \"$expected\" ] || fail \"@@VERIFY_FAILED dump lists $expected, restored $actual\" 68\n");
            if (neutralize)
                b.Append(NeutralizeCommand()).Append(" 2>&1; rc=$?\n[ $rc -eq 0 ] || fail \"@@NEUTRALIZE_EXIT $rc\" 67\n");
            string sql = IdentitySql(D.BaseUrl) + (repositorySql == null ? "" : "\n" + repositorySql.TrimEnd() + "\n");
            string end = "IG_SQL_END_" + _id;
            b.Append(psql).Append(" -d \"$NEW\" 2>&1 <<'").Append(end).Append("' || fail '@@SQL_FAILED' 66\nbegin;\n").Append(sql).Append("\ncommit;\n").Append(end).Append('\n');
            b.Append("n=$(").Append(psql).Append(" -d \"$NEW\" -c \"select value from ir_config_parameter where key = 'database.is_neutralized'\")\n");
            if (filestore)
                b.Append("rm -rf ").Append(Q(NewFilestore)).Append(" && mkdir -p ").Append(Q(NewFilestore)).Append(" && tar -C ").Append(Q(NewFilestore))
                 .Append(" -xf ").Append(Q(FilestoreTar)).Append(" || { rm -rf ").Append(Q(NewFilestore)).Append("; fail '@@FILESTORE_FAILED' 69; }\n");
            b.Append("echo \"@@PREPARED $actual neutralized=${n:-false}\"\n");
            return _dst.Wrap(b.ToString());
        }

        /// <summary>What every copy gets, in the transaction of the repository's statements: its own identity (two
        /// databases sharing database.uuid and database.secret confuse Odoo's services and sessions) and its URL.</summary>
        internal static string IdentitySql(string? baseUrl)
        {
            const string Fresh = "md5(random()::text || clock_timestamp()::text)::uuid::text";
            var b = new StringBuilder();
            foreach (string key in new[] { "database.uuid", "database.secret" })
                b.Append("insert into ir_config_parameter (key, value) values ('").Append(key).Append("', ").Append(Fresh)
                 .Append(") on conflict (key) do update set value = excluded.value;\n");
            if (!string.IsNullOrEmpty(baseUrl))
                b.Append("insert into ir_config_parameter (key, value) values ('web.base.url', '").Append(baseUrl!.TrimEnd('/').Replace("'", "''"))
                 .Append("') on conflict (key) do update set value = excluded.value;\n");
            return b.ToString();
        }

        /// <summary>The prepared database (and filestore) in place of the live one: renames in one transaction after
        /// ending the live database's sessions (Odoo is stopped); the live one is kept as OLD until the copy is healthy.</summary>
        public string Swap(bool filestore) => SwapScript(Q(NewDatabase), Q(OldDatabase), filestore ? (Q(NewFilestore), Q(OldFilestore)) : ((string, string)?)null, "@@SWAPPED");

        /// <summary>The compensation of <see cref="Swap"/>: the live database (the copy) back to NEW, OLD back to live.</summary>
        public string SwapBack(bool filestore)
        {
            string psql = TargetScripts.Psql;
            var b = new StringBuilder();
            b.Append("DB=").Append(Q(D.Database)).Append("; NEW=").Append(Q(NewDatabase)).Append("; OLD=").Append(Q(OldDatabase)).Append('\n');
            // NEW still there = the swap did not happen (the renames are one transaction): the live database stays
            b.Append("read -r has_new has_old <<< \"$(").Append(psql).Append(" -F ' ' -d postgres -v new=\"$NEW\" -v old=\"$OLD\" <<'IG_SQL_END'\n")
             .Append("select (select count(*) from pg_database where datname = :'new'), (select count(*) from pg_database where datname = :'old');\nIG_SQL_END\n)\"\n");
            b.Append("[ -n \"$has_new\" ] || { echo '@@SWAP_FAILED catalog unreadable'; exit 69; }\n");
            b.Append("if [ \"$has_new\" = 0 ]; then\n");
            b.Append(Loop(psql, "db", "new", "old", "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = :'db' and pid <> pg_backend_pid() \\g /dev/null\n" +
                "begin;\nalter database :\"db\" rename to :\"new\";\n\\if :has_old\nalter database :\"old\" rename to :\"db\";\n\\endif\ncommit;\n", "-v has_old=\"$has_old\""));
            b.Append("[ -n \"$swapped\" ] || { echo \"@@SWAP_FAILED $err\"; exit 69; }\nfi\n");
            if (filestore)
                b.Append("fs=").Append(Q(D.FilestorePath!)).Append("\nif [ -d ").Append(Q(OldFilestore)).Append(" ]; then rm -rf \"$fs\"; mv -T ").Append(Q(OldFilestore)).Append(" \"$fs\" || exit 70; fi\n")
                 .Append("rm -rf ").Append(Q(NewFilestore)).Append('\n');
            b.Append("dropdb --maintenance-db=postgres --if-exists \"$NEW\"\necho '@@SWAPPED_BACK'\n");
            return _dst.Wrap(b.ToString());
        }

        private string SwapScript(string newDb, string oldDb, (string New, string Old)? filestore, string marker)
        {
            string psql = TargetScripts.Psql;
            var b = new StringBuilder();
            b.Append("DB=").Append(Q(D.Database)).Append("; NEW=").Append(newDb).Append("; OLD=").Append(oldDb).Append('\n');
            b.Append("has_live=$(").Append(psql).Append(" -d postgres -v db=\"$DB\" <<'IG_SQL_END'\nselect count(*) from pg_database where datname = :'db';\nIG_SQL_END\n) || exit 61\n");
            b.Append(Loop(psql, "db", "new", "old", "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname in (:'db', :'new') and pid <> pg_backend_pid() \\g /dev/null\n" +
                "select pg_sleep(0.05) \\g /dev/null\nbegin;\n\\if :has_live\nalter database :\"db\" rename to :\"old\";\n\\endif\nalter database :\"new\" rename to :\"db\";\ncommit;\n", "-v has_live=\"$has_live\""));
            b.Append("[ -n \"$swapped\" ] || { echo \"@@SWAP_FAILED $err\"; exit 69; }\n");
            if (filestore is (string fsNew, string fsOld))
                b.Append("fs=").Append(Q(D.FilestorePath!)).Append("\nif [ -d \"$fs\" ]; then mv -T \"$fs\" ").Append(fsOld).Append(" || { echo '@@FILESTORE_SWAP_FAILED'; exit 70; }; fi\n")
                 .Append("mv -T ").Append(fsNew).Append(" \"$fs\" || { echo '@@FILESTORE_SWAP_FAILED'; exit 70; }\n");
            b.Append("echo \"").Append(marker).Append(" had_live=$has_live\"\n");
            return _dst.Wrap(b.ToString());
        }

        /// <summary>Runs the rename transaction, retrying while a session reconnects in between (50 times, 0.1 s apart).</summary>
        private static string Loop(string psql, string db, string nw, string old, string sql, string extra) =>
            "swapped=; err=\nfor i in $(seq 1 50); do\n" +
            "  if err=$(" + psql + " -d postgres -v " + db + "=\"$DB\" -v " + nw + "=\"$NEW\" -v " + old + "=\"$OLD\" " + extra + " 2>&1 <<'IG_SQL_END'\n" + sql + "IG_SQL_END\n" +
            "); then swapped=1; break; fi\n  sleep 0.1\ndone\n";

        /// <summary>After a healthy copy: the old database, the old filestore and (unless kept) the dump go.</summary>
        public string Cleanup(bool filestore, bool keepDump)
        {
            var b = new StringBuilder("dropdb --maintenance-db=postgres --if-exists ").Append(Q(OldDatabase)).Append(" 2>&1 || echo '@@OLD_KEPT'\n");
            if (filestore) b.Append("rm -rf ").Append(Q(OldFilestore)).Append('\n');
            if (!keepDump) b.Append("rm -f ").Append(Q(DumpPath)).Append(' ').Append(Q(FilestoreTar)).Append('\n');
            b.Append("true\n");
            return _dst.Wrap(b.ToString());
        }

        /// <summary>Drops the new database (a failed or undone copy).</summary>
        public string DropNew(bool filestore) => _dst.Wrap("dropdb --maintenance-db=postgres --if-exists " + Q(NewDatabase) + " 2>&1\n" + (filestore ? "rm -rf " + Q(NewFilestore) + "\n" : ""));

        internal static string Bytes(long n) => n >= 1 << 20 ? (n / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB" : (n / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " kB";
    }

    /// <summary>Where Odoo's CLI subcommand goes in a configured command line.</summary>
    internal static class OdooCli
    {
        /// <summary>
        /// Puts <paramref name="subcommand"/> right after the Odoo executable of <paramref name="cli"/>: the last word
        /// named odoo, odoo-bin or odoo.py (any folder) that is followed by an option or ends the line — so
        /// "sudo -n -u odoo odoo -c /etc/odoo/odoo.conf" becomes "sudo -n -u odoo odoo neutralize -c /etc/odoo/odoo.conf".
        /// Odoo reads a subcommand only as its first argument.
        /// </summary>
        public static string WithSubcommand(string cli, string subcommand)
        {
            string[] words = cli.Split(' ');
            for (int i = words.Length - 1; i >= 0; i--)
            {
                string w = words[i].Trim('\'', '"');
                string name = w.Substring(w.LastIndexOf('/') + 1);
                bool isOdoo = name == "odoo" || name == "odoo-bin" || name == "odoo.py";
                bool next = i == words.Length - 1 || words[i + 1].StartsWith("-", StringComparison.Ordinal);
                if (isOdoo && next)
                    return string.Join(" ", words.Take(i + 1).Concat(new[] { subcommand }).Concat(words.Skip(i + 1)));
            }
            throw new Infrastructure.DeployException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidArgument,
                $"cannot tell where Odoo's executable is in '{cli}' to run '{subcommand}': set NeutralizeCommand (a template with {{db}})", "NeutralizeCommand");
        }
    }
}
