using System;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Deploy.Steps;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Environments
{
    /// <summary>A review environment as New-/Remove-InfluenceGenEnvironment show it (table view: InfluenceGen.Deploy.Environments.InfluenceGenEnvironment).</summary>
    public sealed class InfluenceGenEnvironment
    {
        public string Name { get; set; } = string.Empty;
        public string Database { get; set; } = string.Empty;
        public string DeployRoot { get; set; } = string.Empty;
        public int Port { get; set; }
        public string? Url { get; set; }
        /// <summary>Created, Exists (left as it was), Removed, Absent (nothing to remove).</summary>
        public string Status { get; set; } = string.Empty;
        /// <summary>Where the database came from: "copy of staging", "template X".</summary>
        public string? Source { get; set; }
        public override string ToString() => Name;
    }

    /// <summary>
    /// Review environments on the dev server: each has its own database, deploy root, Odoo process and port, all
    /// derived from the branch slug (<see cref="ReviewEnvironment"/>). Ports are registered in
    /// &lt;dev DeployRoot&gt;/review/ports under flock, so two live review environments never share one.
    /// </summary>
    public sealed class ReviewEnvironmentService
    {
        private readonly ITargetTransport _dev;
        private readonly DeploySettings _s;
        private readonly ReviewEnvironment _review;

        public ReviewEnvironmentService(ReviewEnvironment review, ITargetTransport devTarget, DeploySettings reviewSettings)
        {
            _review = review; _dev = devTarget; _s = reviewSettings;
            if (!_s.Root.EndsWith("/review/" + review.Key, StringComparison.Ordinal) || _s.HttpPort == null)
                throw new DeployException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidArgument,
                    $"the settings of {review.Name} are not those of a review environment (DeployRoot {_s.Root}, port {_s.HttpPort})", review.Name);
        }

        private string Registry => _s.Root.Substring(0, _s.Root.Length - _review.Key.Length - 1);
        private static string Q(string v) => TargetScripts.Q(v);

        public InfluenceGenEnvironment Describe(string status, string? source) => new InfluenceGenEnvironment
        {
            Name = _review.Name, Database = _s.Database, DeployRoot = _s.Root, Port = _s.HttpPort ?? 0, Url = _s.BaseUrl, Status = status, Source = source,
        };

        /// <summary>Registers the port (refusing one another live review environment holds) and says whether the database exists.</summary>
        internal string RegisterScript()
        {
            var b = new StringBuilder("umask 022\nmkdir -p ").Append(Q(Registry)).Append(" \"$ROOT\" || exit 20\ncd ").Append(Q(Registry)).Append(" || exit 20\n");
            b.Append("exec 9>>.ports.lock; flock -w 30 9 || { echo '@@REGISTRY_BUSY'; exit 21; }\ntouch ports\n");
            b.Append("key=").Append(Q(_review.Key)).Append("; port=").Append(_s.HttpPort).Append('\n');
            b.Append("holder=$(awk -v p=\"$port\" '$1 == p {print $2}' ports)\n");
            b.Append("if [ -n \"$holder\" ] && [ \"$holder\" != \"$key\" ]; then echo \"@@PORT_TAKEN $holder\"; exit 22; fi\n");
            b.Append("[ -n \"$holder\" ] || printf '%s %s\\n' \"$port\" \"$key\" >> ports\n");
            b.Append("echo \"@@DB_EXISTS $(").Append(TargetScripts.Psql).Append(" -d postgres -v db=\"$PGDATABASE\" <<'IG_SQL_END'\nselect count(*) from pg_database where datname = :'db';\nIG_SQL_END\n)\"\n");
            return new TargetScripts(_s).Wrap(b.ToString());
        }

        /// <summary>Registers the environment; returns true when its database already exists.</summary>
        public async Task<bool> RegisterAsync(CancellationToken ct)
        {
            CommandResult r = await _dev.RunScriptAsync(RegisterScript(), ct).ConfigureAwait(false);
            if (TargetScripts.Marker(r.Stdout, "@@PORT_TAKEN") is string holder)
                throw new DeployException(ErrorIds.ReviewPortTaken, ErrorKind.ResourceExists,
                    $"port {_s.HttpPort} of {_review.Name} is held by the live review environment review/{holder} (ports are hashed into ReviewPortCount)", _review.Name)
                { RecommendedAction = $"Stop review/{holder} (Remove-InfluenceGenEnvironment), or widen DEV_REVIEW_PORT_COUNT." };
            string? exists = TargetScripts.Marker(r.Stdout, "@@DB_EXISTS");
            if (!r.Succeeded || (exists != "0" && exists != "1"))
                throw new DeployException(ErrorIds.TargetUnreadable, ErrorKind.ResourceUnavailable, $"cannot register {_review.Name} on {_dev.Description}: {DeployRun.Tail(r.Stdout + r.Stderr)}", _s.Root);
            return exists == "1";
        }

        /// <summary>createdb -T template, then the copy's identity (uuid, secret, URL) in one transaction; dropped again if that fails.</summary>
        internal string FromTemplateScript(string template)
        {
            var b = new StringBuilder();
            b.Append("createdb --maintenance-db=postgres -T ").Append(Q(template)).Append(" \"$PGDATABASE\" 2>&1 || { echo '@@CREATEDB_FAILED'; exit 64; }\n");
            b.Append(TargetScripts.Psql).Append(" 2>&1 <<'IG_SQL_END' || { dropdb --maintenance-db=postgres --if-exists \"$PGDATABASE\"; echo '@@SQL_FAILED'; exit 66; }\nbegin;\n")
             .Append(CopyScripts.IdentitySql(_s.BaseUrl)).Append("commit;\nIG_SQL_END\necho '@@CREATED'\n");
            return new TargetScripts(_s).Wrap(b.ToString());
        }

        public async Task FromTemplateAsync(string template, CancellationToken ct)
        {
            CommandResult r = await _dev.RunScriptAsync(FromTemplateScript(template), ct).ConfigureAwait(false);
            if (!r.Stdout.Contains("@@CREATED"))
                throw new DeployException(ErrorIds.ReviewCreateFailed, ErrorKind.InvalidResult, $"creating {_s.Database} from the template {template} failed: {DeployRun.Tail(r.Stdout + r.Stderr)}", template);
        }

        /// <summary>Stops the environment's Odoo, drops its database, removes its deploy root and frees its port.</summary>
        internal string RemoveScript()
        {
            var b = new StringBuilder();
            b.Append("if [ -d \"$ROOT\" ]; then cd \"$ROOT\" && { ").Append(_s.Stop).Append(" ; } >/tmp/ig-stop.$$ 2>&1; rc=$?; [ $rc -eq 0 ] && echo '@@STOPPED' || echo \"@@STOP_FAILED $rc $(tail -n 2 /tmp/ig-stop.$$ | tr '\\n' ' ')\"; rm -f /tmp/ig-stop.$$; cd /; fi\n");
            b.Append("had=$(").Append(TargetScripts.Psql).Append(" -d postgres -v db=\"$PGDATABASE\" 2>&1 <<'IG_SQL_END'\n")
             .Append("select count(*) from pg_database where datname = :'db';\nselect count(pg_terminate_backend(pid)) from pg_stat_activity where datname = :'db' \\g /dev/null\ndrop database if exists :\"db\";\nIG_SQL_END\n) || { echo \"@@DROP_FAILED $had\"; exit 62; }\n");
            b.Append("echo \"@@DROPPED $had\"\n");
            b.Append("[ -d \"$ROOT\" ] && { rm -rf \"$ROOT\" && echo '@@ROOT_REMOVED' || { echo '@@ROOT_FAILED'; exit 63; }; }\n");
            b.Append("cd ").Append(Q(Registry)).Append(" 2>/dev/null && { exec 9>>.ports.lock; flock -w 30 9; [ -f ports ] && awk -v k=").Append(Q(_review.Key))
             .Append(" '$2 != k' ports > ports.tmp && mv -f ports.tmp ports; }\necho '@@REMOVED'\n");
            return new TargetScripts(_s).Wrap(b.ToString());
        }

        public async Task<InfluenceGenEnvironment> RemoveAsync(IDeployLog log, CancellationToken ct)
        {
            CommandResult r = await _dev.RunScriptAsync(RemoveScript(), ct).ConfigureAwait(false);
            if (TargetScripts.Marker(r.Stdout, "@@STOP_FAILED") is string sf) log.Warning($"stopping Odoo of {_review.Name} failed (exit {sf}); its database is dropped anyway");
            if (!r.Succeeded || !r.Stdout.Contains("@@REMOVED"))
                throw new DeployException(ErrorIds.ReviewRemoveFailed, ErrorKind.InvalidResult, $"removing {_review.Name} on {_dev.Description} failed: {DeployRun.Tail(r.Stdout + r.Stderr)}", _review.Name);
            bool had = TargetScripts.Marker(r.Stdout, "@@DROPPED")?.StartsWith("1", StringComparison.Ordinal) == true || r.Stdout.Contains("@@ROOT_REMOVED");
            return Describe(had ? "Removed" : "Absent", null);
        }
    }
}
