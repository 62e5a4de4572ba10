using System.Collections.Generic;
using System.Linq;
using System.Text;
using static InfluenceGen.Deploy.Infrastructure.Ssh.TargetTransportExtensions;

namespace InfluenceGen.Deploy.Deploy
{
    /// <summary>
    /// The bash scripts the deploy sends to the target on stdin (never on a command line: the database
    /// password goes into a 0600 PGPASSFILE that the script deletes on exit). Every script body runs with
    /// stdin from /dev/null so no command it starts can swallow the rest of the script.
    /// </summary>
    internal sealed class TargetScripts
    {
        private readonly DeploySettings _s;

        public TargetScripts(DeploySettings settings) { _s = settings; }

        private string Q(string v) => ShellQuote(v);

        public string Wrap(string body, bool database = true)
        {
            var sb = new StringBuilder();
            sb.Append("set -u\n");
            sb.Append("ROOT=").Append(Q(_s.Root)).Append('\n');
            if (database)
            {
                sb.Append("export PGHOST=").Append(Q(_s.DatabaseHost)).Append(" PGPORT=").Append(_s.DatabasePort)
                  .Append(" PGUSER=").Append(Q(_s.DatabaseUser)).Append(" PGDATABASE=").Append(Q(_s.Database)).Append(" PGCONNECT_TIMEOUT=10\n");
                if (!string.IsNullOrEmpty(_s.DatabasePassword))
                {
                    string escaped = _s.DatabasePassword!.Replace("\\", "\\\\").Replace(":", "\\:");
                    sb.Append("PGPASSFILE=$(umask 077; mktemp \"${TMPDIR:-/tmp}/ig-pgpass.XXXXXX\") || exit 90\n");
                    sb.Append("trap 'rm -f \"$PGPASSFILE\"' EXIT\n");
                    sb.Append("cat > \"$PGPASSFILE\" <<'IG_PGPASS_END'\n*:*:*:*:").Append(escaped).Append("\nIG_PGPASS_END\n");
                    sb.Append("export PGPASSFILE\n");
                }
            }
            sb.Append("{\n").Append(body).Append("\n} </dev/null\n");
            return sb.ToString();
        }

        private const string Psql = "psql -X -A -t -q -v ON_ERROR_STOP=1";

        /// <summary>Reads everything the decision needs in one round trip; optionally takes the lock first.</summary>
        public string Probe(IEnumerable<string> addons, string? lockText, int lockTimeoutSeconds)
        {
            string names = string.Join(",", addons.Select(a => "'" + a + "'"));
            var b = new StringBuilder();
            b.Append("mkdir -p \"$ROOT/releases\" \"$ROOT/backups\" || { echo '@@ROOT_FAILED'; exit 20; }\ncd \"$ROOT\" || exit 20\n");
            if (lockText != null)
            {
                b.Append("LOCK_TEXT=").Append(Q(lockText)).Append('\n');
                b.Append("deadline=$(( $(date +%s) + ").Append(lockTimeoutSeconds).Append(" ))\n");
                b.Append("while ! ( set -o noclobber; printf '%s\\n' \"$LOCK_TEXT\" > .lock ) 2>/dev/null; do\n");
                b.Append("  if [ \"$(date +%s)\" -ge \"$deadline\" ]; then echo '@@LOCKED'; cat .lock 2>/dev/null; exit 0; fi\n  sleep 1\ndone\n");
                b.Append("echo '@@LOCK_TAKEN'\n");
            }
            b.Append("echo '@@CURRENT'; readlink current 2>/dev/null || true\n");
            b.Append("echo '@@CURRENT_SHA'; cat current/.influencegen-package.sha256 2>/dev/null || true\n");
            b.Append("echo '@@LEDGER_TAIL'; tail -n 1 ").Append(DeploymentLedger.FileName).Append(" 2>/dev/null || true\n");
            b.Append("echo '@@RELEASES'; ls -1 releases 2>/dev/null || true\n");
            // one psql session for the three queries (every process costs on a slow target)
            b.Append(Psql).Append(" -F '|' <<'IG_SQL_END' 2>&1\n")
             .Append("\\echo @@MODULES\n")
             .Append("select name, state, coalesce(latest_version, '') from ir_module_module where name in (").Append(names.Length == 0 ? "''" : names).Append(");\n")
             .Append("\\echo @@CHECKSUMS\n")
             .Append("select value from ir_config_parameter where key = 'module_auto_update.installed_checksums';\n")
             .Append("\\echo @@LANGS\n")
             .Append("select code from res_lang where active;\n")
             .Append("IG_SQL_END\necho \"@@PSQL $?\"\n");
            b.Append("echo '@@END'\n");
            return Wrap(b.ToString());
        }

        public string VerifyAndExtract(string upload, string releaseId, string sha256) => Wrap(
            "cd \"$ROOT\" || exit 20\n" +
            "UP=" + Q(upload) + "; REL=" + Q(releaseId) + "; SHA=" + Q(sha256) + "\n" +
            "got=$(sha256sum \"$UP\" | cut -d' ' -f1)\n" +
            "if [ \"$got\" != \"$SHA\" ]; then echo \"@@SHA_MISMATCH $got\"; rm -f \"$UP\"; exit 41; fi\n" +
            "list=$(unzip -Z1 \"$UP\") || { echo '@@UNREADABLE'; rm -f \"$UP\"; exit 42; }\n" +
            "if printf '%s\\n' \"$list\" | grep -qE '^/|(^|/)\\.\\.(/|$)|\\\\'; then echo '@@UNSAFE'; printf '%s\\n' \"$list\" | grep -E '^/|(^|/)\\.\\.(/|$)|\\\\' | head -n 3; rm -f \"$UP\"; exit 43; fi\n" +
            "TMP=\"releases/.$REL.tmp\"; rm -rf \"$TMP\"; mkdir -p \"$TMP\" || { echo '@@EXTRACT_FAILED'; rm -f \"$UP\"; exit 44; }\n" +
            "if ! unzip -q -o \"$UP\" -d \"$TMP\" 2>&1 || ! printf '%s\\n' \"$SHA\" > \"$TMP/.influencegen-package.sha256\"; then\n" +
            "  echo '@@EXTRACT_FAILED'; rm -rf \"$TMP\"; rm -f \"$UP\"; exit 44; fi\n" +
            "rm -rf \"releases/$REL\"; mv -T \"$TMP\" \"releases/$REL\" || { echo '@@EXTRACT_FAILED'; rm -rf \"$TMP\"; rm -f \"$UP\"; exit 44; }\n" +
            "rm -f \"$UP\"\necho '@@EXTRACTED'\n", database: false);

        public string Cleanup(string? upload, string? releaseId)
        {
            var b = new StringBuilder("cd \"$ROOT\" || exit 0\n");
            if (upload != null) b.Append("rm -f ").Append(Q(upload)).Append('\n');
            if (releaseId != null) b.Append("rm -rf ").Append(Q("releases/." + releaseId + ".tmp")).Append(' ').Append(Q("releases/" + releaseId)).Append('\n');
            return Wrap(b.ToString(), database: false);
        }

        public string BackupPath(string label) => "backups/" + _s.Database + "-" + label + ".dump";

        public string Backup(string label)
        {
            string dump = BackupPath(label);
            var b = new StringBuilder("mkdir -p \"$ROOT/backups\" && cd \"$ROOT\" || exit 20\n");
            b.Append("pg_dump -Fc -f ").Append(Q(dump + ".tmp")).Append(" && mv -f ").Append(Q(dump + ".tmp")).Append(' ').Append(Q(dump))
             .Append(" || { rm -f ").Append(Q(dump + ".tmp")).Append("; exit 50; }\n");
            if (!string.IsNullOrEmpty(_s.FilestorePath))
                b.Append("if [ -d ").Append(Q(_s.FilestorePath!)).Append(" ]; then tar -C ").Append(Q(_s.FilestorePath!)).Append(" -czf ")
                 .Append(Q("backups/" + _s.Database + "-" + label + ".filestore.tgz")).Append(" . || exit 51; fi\n");
            b.Append("ls -l ").Append(Q(dump)).Append('\n');
            return Wrap(b.ToString());
        }

        /// <summary>Puts the database back from a pg_dump -Fc file: drop + create + restore when the role may
        /// create databases, else pg_restore --clean in one transaction.</summary>
        public string Restore(string dumpPath)
        {
            string db = _s.Database.Replace("'", "''");
            string filestore = dumpPath.EndsWith(".dump", System.StringComparison.Ordinal) ? dumpPath.Substring(0, dumpPath.Length - 5) + ".filestore.tgz" : dumpPath + ".filestore.tgz";
            var b = new StringBuilder("cd \"$ROOT\" || exit 20\n");
            b.Append("DUMP=").Append(Q(dumpPath)).Append("\n[ -f \"$DUMP\" ] || { echo \"@@NO_DUMP $DUMP\"; exit 60; }\n");
            b.Append("cancreate=$(").Append(Psql).Append(" -d postgres -c \"select rolcreatedb from pg_roles where rolname = current_user\") || exit 61\n");
            b.Append("if [ \"$cancreate\" = t ]; then\n");
            b.Append("  ").Append(Psql).Append(" -d postgres -c \"select pg_terminate_backend(pid) from pg_stat_activity where datname = '").Append(db).Append("' and pid <> pg_backend_pid()\" >/dev/null || exit 62\n");
            b.Append("  dropdb --maintenance-db=postgres --if-exists ").Append(Q(_s.Database)).Append(" || exit 63\n");
            b.Append("  createdb --maintenance-db=postgres -T template0 ").Append(Q(_s.Database)).Append(" || exit 64\n");
            b.Append("  pg_restore --no-owner --exit-on-error -d ").Append(Q(_s.Database)).Append(" \"$DUMP\" || exit 65\n");
            b.Append("else\n  pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error -d ").Append(Q(_s.Database)).Append(" \"$DUMP\" || exit 65\nfi\n");
            if (!string.IsNullOrEmpty(_s.FilestorePath))
                b.Append("if [ -f ").Append(Q(filestore)).Append(" ]; then mkdir -p ").Append(Q(_s.FilestorePath!)).Append(" && find ").Append(Q(_s.FilestorePath!))
                 .Append(" -mindepth 1 -delete && tar -C ").Append(Q(_s.FilestorePath!)).Append(" -xzf ").Append(Q(filestore)).Append(" || exit 66; fi\n");
            b.Append("echo '@@RESTORED'\n");
            return Wrap(b.ToString());
        }

        /// <summary>Points current at releases/&lt;id&gt; atomically (ln -s to a temporary name, then mv -T); null removes it.</summary>
        public string Switch(string? releaseId)
        {
            if (releaseId == null) return Wrap("cd \"$ROOT\" || exit 20\nrm -f current\n", database: false);
            return Wrap("cd \"$ROOT\" || exit 20\n[ -d " + Q("releases/" + releaseId) + " ] || { echo '@@NO_RELEASE'; exit 70; }\n" +
                        "tmp=\"current.tmp-$$-$RANDOM\"\nln -s " + Q("releases/" + releaseId) + " \"$tmp\" && mv -T \"$tmp\" current || { rm -f \"$tmp\"; exit 71; }\n", database: false);
        }

        public string Odoo(IReadOnlyList<string> install, IReadOnlyList<string> upgrade, string? checksumsJson)
        {
            var cmd = new StringBuilder(_s.OdooCli).Append(" -d ").Append(Q(_s.Database));
            if (install.Count > 0) cmd.Append(" -i ").Append(Q(string.Join(",", install)));
            if (upgrade.Count > 0) cmd.Append(" -u ").Append(Q(string.Join(",", upgrade)));
            cmd.Append(" --stop-after-init");
            var b = new StringBuilder("cd \"$ROOT\" || exit 20\n");
            b.Append(cmd).Append(" 2>&1\nrc=$?\nif [ $rc -ne 0 ]; then echo \"@@ODOO_EXIT $rc\"; exit 80; fi\n");
            if (checksumsJson != null)
            {
                string tag = "$igjson$";
                b.Append(Psql).Append(" <<'IG_SQL_END' || exit 81\n")
                 .Append("update ir_config_parameter set value = ").Append(tag).Append(checksumsJson).Append(tag).Append(" where key = 'module_auto_update.installed_checksums';\n")
                 .Append("insert into ir_config_parameter (key, value) select 'module_auto_update.installed_checksums', ").Append(tag).Append(checksumsJson).Append(tag)
                 .Append(" where not exists (select 1 from ir_config_parameter where key = 'module_auto_update.installed_checksums');\nIG_SQL_END\n");
            }
            return Wrap(b.ToString());
        }

        public string Restart() => Wrap("cd \"$ROOT\" || exit 20\n" + _s.Restart + " 2>&1\nrc=$?\n[ $rc -eq 0 ] || { echo \"@@RESTART_EXIT $rc\"; exit 85; }\n");

        public string DatabasePing() => Wrap(Psql + " -c 'select 1' 2>&1\n");

        /// <summary>Appends the ledger line, releases our lock and prunes old releases, in one round trip.</summary>
        public string Finish(string? ledgerLine, string? lockText, IEnumerable<string> keep, int keepCount)
        {
            var b = new StringBuilder("cd \"$ROOT\" || exit 20\nrc=0\n");
            if (ledgerLine != null)
                b.Append("cat >> ").Append(DeploymentLedger.FileName).Append(" <<'IG_LEDGER_END' || rc=31\n").Append(ledgerLine).Append("\nIG_LEDGER_END\n");
            if (lockText != null)
                b.Append("if [ \"$(cat .lock 2>/dev/null)\" = ").Append(Q(lockText)).Append(" ]; then rm -f .lock; fi\n");
            if (keepCount > 0)
            {
                b.Append("keep=' ").Append(string.Join(" ", keep)).Append(" '\nn=0\n");
                b.Append("for r in $(ls -1 releases 2>/dev/null | grep -v '^\\.' | sort -r); do n=$((n+1)); case \"$keep\" in *\" $r \"*) continue;; esac; [ $n -le ")
                 .Append(keepCount).Append(" ] && continue; rm -rf \"releases/$r\" && echo \"@@PRUNED $r\"; done\n");
            }
            b.Append("exit $rc\n");
            return Wrap(b.ToString(), database: false);
        }

        public string ReadLedger() => Wrap("cd \"$ROOT\" 2>/dev/null || exit 0\ncat " + DeploymentLedger.FileName + " 2>/dev/null; echo '@@RELEASES'; ls -1 releases 2>/dev/null; echo '@@CURRENT'; readlink current 2>/dev/null; true\n", database: false);
    }
}
