using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Deploy.Steps
{
    /// <summary>The answer of a restore: Ok, or what went wrong (the live database then is as it was).</summary>
    internal sealed class RestoreResult
    {
        public bool Ok { get; set; }
        public string? Problem { get; set; }
        /// <summary>"tables=… indexes=… constraints=… fks=… sequences=…" as verified against the dump's TOC.</summary>
        public string? Objects { get; set; }
    }

    /// <summary>
    /// Puts a database back from a pg_dump -Fc file without ever leaving it half-restored: restore into a NEW
    /// database, check pg_restore's exit status and the restored tables, indexes, constraints, foreign keys and
    /// sequences against the dump's table of contents, and only then swap it in by renaming (one transaction,
    /// connections to the live database terminated). Any failure before the swap drops the new database and
    /// leaves the live one as it was. A role without CREATEDB falls back to one pg_restore --single-transaction
    /// (all or nothing), verified the same way.
    /// </summary>
    internal static class DatabaseRestore
    {
        public static async Task<RestoreResult> RunAsync(DeployRun run, string dumpPath, CancellationToken ct)
        {
            CommandResult r;
            try { r = await run.RunAsync(Script(run.Scripts, dumpPath), ct).ConfigureAwait(false); }
            catch (Exception ex) when (!(ex is OperationCanceledException)) { return new RestoreResult { Problem = "the restore could not be run: " + ex.Message }; }
            return Parse(r);
        }

        internal static RestoreResult Parse(CommandResult r)
        {
            string? objects = TargetScripts.Marker(r.Stdout, "@@RESTORED");
            if (r.Succeeded && objects != null) return new RestoreResult { Ok = true, Objects = objects };
            string? problem =
                TargetScripts.Marker(r.Stdout, "@@NO_DUMP") is string nd ? "the dump " + nd + " does not exist" :
                TargetScripts.Marker(r.Stdout, "@@PG_RESTORE_EXIT") is string pe ? $"pg_restore exited {pe}: {DeployRun.Tail(r.Stdout + r.Stderr)}" :
                TargetScripts.Marker(r.Stdout, "@@VERIFY_FAILED") is string vf ? "the restored database does not hold what the dump lists: " + vf :
                TargetScripts.Marker(r.Stdout, "@@SWAP_FAILED") is string sf ? "swapping the restored database in failed: " + sf :
                $"exit {r.ExitCode}: {DeployRun.Tail(r.Stdout + r.Stderr)}";
            return new RestoreResult { Problem = problem };
        }

        /// <summary>Counts, in the current database, what pg_restore -l lists as TABLE, INDEX, CONSTRAINT, FK CONSTRAINT, SEQUENCE.</summary>
        internal const string CatalogCounts =
            "with ns as (select oid from pg_namespace where nspname not in ('pg_catalog','information_schema') and nspname not like 'pg_toast%' and nspname not like 'pg_temp%') " +
            "select 'tables=' || (select count(*) from pg_class where relkind in ('r','p') and relnamespace in (select oid from ns))" +
            " || ' indexes=' || (select count(*) from pg_index i join pg_class c on c.oid = i.indexrelid where c.relnamespace in (select oid from ns)" +
            " and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.contype in ('p','u','x')))" +
            " || ' constraints=' || (select count(*) from pg_constraint where contype in ('p','u','x') and connamespace in (select oid from ns))" +
            " || ' fks=' || (select count(*) from pg_constraint where contype = 'f' and connamespace in (select oid from ns))" +
            " || ' sequences=' || (select count(*) from pg_class where relkind = 'S' and relnamespace in (select oid from ns))";

        internal const string TocCounts =
            "pg_restore -l \"$DUMP\" | sed -nE 's/^[0-9]+; [0-9]+ [0-9]+ //p' | awk '" +
            "/^TABLE DATA /{next} /^TABLE /{t++} /^INDEX /{i++} /^CONSTRAINT /{c++} /^FK CONSTRAINT /{f++} /^SEQUENCE (SET|OWNED BY) /{next} /^SEQUENCE /{s++} " +
            "END{printf \"tables=%d indexes=%d constraints=%d fks=%d sequences=%d\\n\",t,i,c,f,s}'";

        internal static string Script(TargetScripts s, string dumpPath)
        {
            DeploySettings st = s.Settings;
            string filestore = dumpPath.EndsWith(".dump", StringComparison.Ordinal) ? dumpPath.Substring(0, dumpPath.Length - 5) + ".filestore.tgz" : dumpPath + ".filestore.tgz";
            string db = st.Database.Length > 40 ? st.Database.Substring(0, 40) : st.Database;
            string psql = TargetScripts.Psql;
            var b = new StringBuilder("cd \"$ROOT\" || exit 20\n");
            b.Append("DUMP=").Append(TargetScripts.Q(dumpPath)).Append("\n[ -f \"$DUMP\" ] || { echo \"@@NO_DUMP $DUMP\"; exit 60; }\n");
            b.Append("DB=").Append(TargetScripts.Q(st.Database)).Append("; NEW=").Append(TargetScripts.Q(db + "_igrestore")).Append("_$$; OLD=").Append(TargetScripts.Q(db + "_igold")).Append("_$$\n");
            b.Append("expected=$(").Append(TocCounts).Append(") || { echo \"@@PG_RESTORE_EXIT list\"; exit 65; }\n");
            b.Append("counts() { ").Append(psql).Append(" -d \"$1\" -c \"").Append(CatalogCounts).Append("\"; }\n");
            b.Append("cancreate=$(").Append(psql).Append(" -d postgres -c \"select rolcreatedb or rolsuper from pg_roles where rolname = current_user\") || exit 61\n");
            b.Append("if [ \"$cancreate\" = t ]; then\n");
            b.Append("  dropdb --maintenance-db=postgres --if-exists \"$NEW\" 2>/dev/null\n");
            b.Append("  createdb --maintenance-db=postgres -T template0 \"$NEW\" || exit 64\n");
            b.Append("  pg_restore --no-owner --exit-on-error -d \"$NEW\" \"$DUMP\" 2>&1; rc=$?\n");
            b.Append("  if [ $rc -ne 0 ]; then dropdb --maintenance-db=postgres --if-exists \"$NEW\"; echo \"@@PG_RESTORE_EXIT $rc\"; exit 65; fi\n");
            b.Append("  actual=$(counts \"$NEW\") || { dropdb --maintenance-db=postgres --if-exists \"$NEW\"; echo '@@VERIFY_FAILED catalog unreadable'; exit 68; }\n");
            b.Append("  if [ \"$actual\" != \"$expected\" ]; then dropdb --maintenance-db=postgres --if-exists \"$NEW\"; echo \"@@VERIFY_FAILED dump lists $expected, restored $actual\"; exit 68; fi\n");
            // the swap: terminate the live database's sessions and rename both in one transaction; retry while a
            // session reconnects in between
            b.Append("  swapped=\n  for i in $(seq 1 50); do\n");
            b.Append("    if ").Append(psql).Append(" -d postgres -v db=\"$DB\" -v new=\"$NEW\" -v old=\"$OLD\" 2>/tmp/ig-swap.$$ <<'IG_SQL_END'\n")
             .Append("select count(pg_terminate_backend(pid)) from pg_stat_activity where datname in (:'db', :'new') and pid <> pg_backend_pid() \\g /dev/null\n")
             .Append("select pg_sleep(0.05) \\g /dev/null\n")
             .Append("begin;\nalter database :\"db\" rename to :\"old\";\nalter database :\"new\" rename to :\"db\";\ncommit;\n")
             .Append("IG_SQL_END\n    then swapped=1; break; fi\n    sleep 0.1\n  done\n");
            b.Append("  if [ -z \"$swapped\" ]; then err=$(tail -n 1 /tmp/ig-swap.$$); rm -f /tmp/ig-swap.$$; dropdb --maintenance-db=postgres --if-exists \"$NEW\"; echo \"@@SWAP_FAILED $err\"; exit 69; fi\n");
            b.Append("  rm -f /tmp/ig-swap.$$\n");
            b.Append("  dropdb --maintenance-db=postgres --if-exists \"$OLD\" || echo \"@@OLD_KEPT $OLD\"\n");
            b.Append("else\n");
            b.Append("  pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error -d \"$DB\" \"$DUMP\" 2>&1; rc=$?\n");
            b.Append("  [ $rc -eq 0 ] || { echo \"@@PG_RESTORE_EXIT $rc\"; exit 65; }\n");
            b.Append("  actual=$(counts \"$DB\")\n");
            b.Append("  if [ \"$actual\" != \"$expected\" ]; then echo \"@@VERIFY_FAILED dump lists $expected, restored $actual\"; exit 68; fi\n");
            b.Append("fi\n");
            if (!string.IsNullOrEmpty(st.FilestorePath))
                b.Append("if [ -f ").Append(TargetScripts.Q(filestore)).Append(" ]; then mkdir -p ").Append(TargetScripts.Q(st.FilestorePath!)).Append(" && find ").Append(TargetScripts.Q(st.FilestorePath!))
                 .Append(" -mindepth 1 -delete && tar -C ").Append(TargetScripts.Q(st.FilestorePath!)).Append(" -xzf ").Append(TargetScripts.Q(filestore)).Append(" || exit 66; fi\n");
            b.Append("echo \"@@RESTORED $expected\"\n");
            return s.Wrap(b.ToString());
        }
    }

    /// <summary>Undo's database step: the backup taken before the current release was deployed goes back
    /// (everything written since is lost: the cmdlet names the backup time and asks). Cannot be undone itself.</summary>
    internal sealed class RestoreStep : DeployStep
    {
        public override string Name => "restore";
        public override bool Activates => true;
        public override string Describe(DeployRun run) => run.BackupPath == null ? "restore: no" : $"restore: {run.BackupPath} (taken {run.Record.BackupAt ?? "at an unknown time"})";
        public override string? SkipReason(DeployRun run) => run.BackupPath == null ? "database not restored" : null;

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
        {
            RestoreResult r = await DatabaseRestore.RunAsync(run, run.BackupPath!, ct).ConfigureAwait(false);
            if (!r.Ok) throw new DeployException(ErrorIds.RestoreFailed, ErrorKind.InvalidResult, $"restoring {run.BackupPath} failed, the database was left as it was: {r.Problem}", run.BackupPath);
            run.Record.DatabaseRestored = true;
            return $"{run.BackupPath} ({r.Objects})";
        }
    }
}
