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

        public DeploySettings Settings => _s;

        internal static string Q(string v) => ShellQuote(v);

        /// <summary>The rest of the first output line starting with <paramref name="marker"/>, or null.</summary>
        internal static string? Marker(string stdout, string marker)
        {
            string? line = stdout.Replace("\r\n", "\n").Split('\n').FirstOrDefault(l => l.StartsWith(marker, System.StringComparison.Ordinal));
            return line?.Substring(marker.Length).Trim();
        }

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

        internal const string Psql = "psql -X -A -t -q -v ON_ERROR_STOP=1";

        /// <summary>Reads everything the decision needs in one round trip; optionally takes the lock first.</summary>
        public string Probe(IEnumerable<string> addons, string? lockText, int lockTimeoutSeconds, bool database = true)
        {
            string names = string.Join(",", addons.Select(a => "'" + a + "'"));
            var b = new StringBuilder();
            b.Append("mkdir -p \"$ROOT/releases\" \"$ROOT/backups\" || { echo '@@ROOT_FAILED'; exit 20; }\ncd \"$ROOT\" || exit 20\n");
            if (lockText != null)
            {
                b.Append("LOCK_TEXT=").Append(Q(lockText)).Append('\n');
                b.Append("deadline=$(( $(date +%s) + ").Append(lockTimeoutSeconds).Append(" ))\n");
                b.Append(HolderGone);
                b.Append("while ! ( set -o noclobber; printf '%s\\n' \"$LOCK_TEXT\" > .lock ) 2>/dev/null; do\n");
                // a holder that is provably gone (its target job ended or died, or its lease expired) is taken over
                b.Append("  held=$(head -n 1 .lock 2>/dev/null) || continue\n");
                b.Append("  why=$(gone \"$held\")\n");
                b.Append("  if [ -n \"$why\" ]; then printf '%s\\n' \"$LOCK_TEXT\" > .lock.$$ && mv -f .lock.$$ .lock && [ \"$(head -n 1 .lock)\" = \"$LOCK_TEXT\" ] && { echo \"@@TAKEN_OVER $why\"; echo \"@@PREVIOUS_HOLDER $held\"; break; }; fi\n");
                b.Append("  if [ \"$(date +%s)\" -ge \"$deadline\" ]; then echo '@@LOCKED'; cat .lock 2>/dev/null; exit 0; fi\n  sleep 1\ndone\n");
                b.Append("echo '@@LOCK_TAKEN'\n");
            }
            b.Append("echo '@@CURRENT'; readlink current 2>/dev/null || true\n");
            b.Append("echo '@@CURRENT_SHA'; cat current/.influencegen-package.sha256 2>/dev/null || true\n");
            b.Append("echo '@@LEDGER_TAIL'; tail -n 1 ").Append(DeploymentLedger.FileName).Append(" 2>/dev/null || true\n");
            b.Append("echo '@@RELEASES'; ls -1 releases 2>/dev/null || true\n");
            if (!database) { b.Append("echo \"@@PSQL 0\"\necho '@@END'\n"); return Wrap(b.ToString(), database: false); }
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

        /// <summary>
        /// bash: <c>gone "lock text"</c> prints why the holder is provably gone, or nothing: its target job (jobs/&lt;id&gt;)
        /// ended, or its process is no longer running; without a job, the lock's lease (its mtime, renewed by the job)
        /// expired. Also <c>alive_job "lock text"</c>: the pid of the holder's running job, or nothing.
        /// </summary>
        internal string HolderGone =>
            "lock_id() { printf '%s' \"$1\" | sed -n 's/.* id=\\([0-9a-f]*\\).*/\\1/p'; }\n" +
            "alive_job() { local id pid; id=$(lock_id \"$1\"); [ -n \"$id\" ] && [ -f \"jobs/$id/pid\" ] || return 0; pid=$(cat \"jobs/$id/pid\")\n" +
            "  [ ! -e \"jobs/$id/done\" ] && grep -q \"jobs/$id/job.sh\" \"/proc/$pid/cmdline\" 2>/dev/null && printf '%s' \"$pid\"; return 0; }\n" +
            "gone() { local id pid age; id=$(lock_id \"$1\")\n" +
            "  if [ -n \"$id\" ] && [ -f \"jobs/$id/pid\" ]; then pid=$(cat \"jobs/$id/pid\")\n" +
            "    if [ -e \"jobs/$id/done\" ]; then echo \"its target job $id ended\"\n" +
            "    elif ! grep -q \"jobs/$id/job.sh\" \"/proc/$pid/cmdline\" 2>/dev/null; then echo \"its target job $id (pid $pid) is no longer running and did not finish: the target may be half-deployed\"; fi\n" +
            "    return 0; fi\n" +
            "  age=$(( $(date +%s) - $(stat -c %Y .lock 2>/dev/null || date +%s) ))\n" +
            "  [ \"$age\" -gt " + (long)_s.LockLease.TotalSeconds + " ] && echo \"its lease expired (not renewed for $age s, lease " + (long)_s.LockLease.TotalSeconds + " s)\"; return 0; }\n";

        /// <summary>Reads the lock for -BreakLock: its holder, whether its job still runs, the ledger's last line.</summary>
        public string ReadLock() => Wrap("cd \"$ROOT\" 2>/dev/null || { echo '@@NO_LOCK'; exit 0; }\n" + HolderGone +
            "[ -f .lock ] || { echo '@@NO_LOCK'; exit 0; }\nheld=$(head -n 1 .lock)\necho \"@@HOLDER $held\"\n" +
            "pid=$(alive_job \"$held\"); [ -n \"$pid\" ] && echo \"@@JOB_ALIVE $pid\"\n" +
            "echo '@@LEDGER_TAIL'; tail -n 1 " + DeploymentLedger.FileName + " 2>/dev/null; true\n", database: false);

        /// <summary>Appends the ledger line and removes the lock, if it is still the one read.</summary>
        public string BreakLock(string holder, string ledgerLine) => Wrap("cd \"$ROOT\" || exit 20\n" +
            "if [ \"$(head -n 1 .lock 2>/dev/null)\" != " + Q(holder) + " ]; then echo '@@LOCK_CHANGED'; exit 3; fi\n" +
            "cat >> " + DeploymentLedger.FileName + " <<'IG_LEDGER_END' || exit 31\n" + ledgerLine + "\nIG_LEDGER_END\nrm -f .lock && echo '@@BROKEN'\n", database: false);

        /// <summary>Appends one ledger line.</summary>
        public string AppendLedger(string ledgerLine) => Wrap("cd \"$ROOT\" || exit 20\ncat >> " + DeploymentLedger.FileName + " <<'IG_LEDGER_END' || exit 31\n" + ledgerLine + "\nIG_LEDGER_END\n", database: false);

        public string BackupPath(string label) => "backups/" + _s.Database + "-" + label + ".dump";

        /// <summary>pg_dump -Fc into backups/ (0700; the dump 0600, written under a temp name then renamed), after
        /// checking that the folder's file system has room for the database's size (@@NO_SPACE otherwise).</summary>
        public string Backup(string label)
        {
            string dump = BackupPath(label);
            var b = new StringBuilder("umask 077\nmkdir -p \"$ROOT/backups\" && chmod 700 \"$ROOT/backups\" && cd \"$ROOT\" || exit 20\n");
            b.Append("need=$(").Append(Psql).Append(" -c 'select pg_database_size(current_database())' 2>&1) || { echo \"@@PSQL_FAILED $need\"; exit 53; }\n");
            if (!string.IsNullOrEmpty(_s.FilestorePath))
                b.Append("fs=$(du -sk ").Append(Q(_s.FilestorePath!)).Append(" 2>/dev/null | cut -f1); need=$(( need + ${fs:-0} * 1024 ))\n");
            b.Append("free=$(( $(df -Pk backups | awk 'NR==2 {print $4}') * 1024 ))\n");
            b.Append("if [ \"$free\" -lt \"$need\" ]; then echo \"@@NO_SPACE need=$need free=$free\"; exit 52; fi\n");
            b.Append("pg_dump -Fc -f ").Append(Q(dump + ".tmp")).Append(" && chmod 600 ").Append(Q(dump + ".tmp")).Append(" && mv -f ").Append(Q(dump + ".tmp")).Append(' ').Append(Q(dump))
             .Append(" || { rm -f ").Append(Q(dump + ".tmp")).Append("; exit 50; }\n");
            if (!string.IsNullOrEmpty(_s.FilestorePath))
                b.Append("if [ -d ").Append(Q(_s.FilestorePath!)).Append(" ]; then tar -C ").Append(Q(_s.FilestorePath!)).Append(" -czf ")
                 .Append(Q("backups/" + _s.Database + "-" + label + ".filestore.tgz")).Append(" . || exit 51; fi\n");
            b.Append("ls -l ").Append(Q(dump)).Append('\n');
            return Wrap(b.ToString());
        }

        public string DatabasePing() => Wrap(Psql + " -c 'select 1' 2>&1\n");

        /// <summary>Appends the ledger line, releases our lock and prunes old releases, in one round trip.</summary>
        public string Finish(string? ledgerLine, string? lockText, IEnumerable<string> keep, int keepCount, int keepBackups = 0)
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
            if (keepBackups > 0)
            {
                // the backups of deploys (<db>-<release id>.dump; manual ones keep their own labels): the newest
                // keepBackups stay, and those of the releases kept; the rest go with their filestore archives
                string prefix = "backups/" + _s.Database + "-";
                b.Append("keep=' ").Append(string.Join(" ", keep)).Append(" '\nn=0\n");
                b.Append("for f in $(ls -1t ").Append(Q(prefix)).Append("*.dump 2>/dev/null); do r=${f#").Append(Q(prefix)).Append("}; r=${r%.dump};\n")
                 .Append("  case \"$r\" in [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]-*) ;; *) continue;; esac\n")
                 .Append("  n=$((n+1)); case \"$keep\" in *\" $r \"*) continue;; esac; [ $n -le ").Append(keepBackups).Append(" ] && continue\n")
                 .Append("  rm -f \"$f\" \"${f%.dump}.filestore.tgz\" && echo \"@@PRUNED_BACKUP $f\"\ndone\n");
            }
            b.Append("exit $rc\n");
            return Wrap(b.ToString(), database: false);
        }

        /// <summary>Renews the lock's lease (its mtime) while the lock is still the one given.</summary>
        public string RenewLock(string lockText) => Wrap("cd \"$ROOT\" || exit 20\n[ \"$(head -n 1 .lock 2>/dev/null)\" = " + Q(lockText) + " ] && touch .lock\n", database: false);

        public string ReadLedger() => Wrap("cd \"$ROOT\" 2>/dev/null || exit 0\ncat " + DeploymentLedger.FileName + " 2>/dev/null; echo '@@RELEASES'; ls -1 releases 2>/dev/null; echo '@@CURRENT'; readlink current 2>/dev/null; true\n", database: false);
    }
}
