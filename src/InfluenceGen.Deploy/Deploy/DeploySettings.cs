using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Deploy
{
    /// <summary>Everything the deploy needs to know about one environment's Odoo target.</summary>
    public sealed class DeploySettings
    {
        public string Environment { get; set; } = string.Empty;
        /// <summary>Absolute root on the target (releases/, current, backups/, deployments.jsonl, .lock).</summary>
        public string Root { get; set; } = string.Empty;
        public string Database { get; set; } = "influencegen";
        public string DatabaseHost { get; set; } = "localhost";
        public int DatabasePort { get; set; } = 5432;
        public string DatabaseUser { get; set; } = "odoo";
        /// <summary>Secret: travels only inside scripts on stdin, into a 0600 PGPASSFILE.</summary>
        public string? DatabasePassword { get; set; }
        public string Runtime { get; set; } = "systemd";
        public string Service { get; set; } = "odoo";
        public string? OdooCommand { get; set; }
        public string? RestartCommand { get; set; }
        /// <summary>Stops Odoo for the maintenance window of a deploy that installs or upgrades.</summary>
        public string? StopCommand { get; set; }
        /// <summary>Odoo's HTTP port ({port} in the command templates; each review environment has its own).</summary>
        public int? HttpPort { get; set; }
        /// <summary>Neutralizes database {db} (default: the Odoo CLI with the neutralize subcommand first).</summary>
        public string? NeutralizeCommand { get; set; }
        /// <summary>web.base.url of the environment (its OdooUrl), set on a copy of another environment's database.</summary>
        public string? BaseUrl { get; set; }
        public string? HealthUrl { get; set; }
        public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(120);
        public string? FilestorePath { get; set; }
        public int KeepReleases { get; set; } = 5;
        /// <summary>Deploy backups kept (newest first; those of the kept releases always stay).</summary>
        public int KeepBackups { get; set; } = 3;
        public bool BackupBeforeUpgrade { get; set; }
        public bool RequireChangeApproval { get; set; }
        /// <summary>Secret: HMAC key of the ledger's hashes (never sent to the target).</summary>
        public string? LedgerKey { get; set; }
        public bool IsProduction => Configuration.DeployEnvironment.IsProduction(Environment);
        /// <summary>How long a lock lives without renewal (the target job renews it while it runs).</summary>
        public TimeSpan LockLease { get; set; } = TimeSpan.FromSeconds(600);
        /// <summary>After Ctrl+C/SIGTERM: how long the client waits for the target job's rollback (a runner gives ~10 s).</summary>
        public TimeSpan CancelGrace { get; set; } = TimeSpan.FromSeconds(8);
        /// <summary>How long the client keeps trying to reach the target job after the connection dropped.</summary>
        public TimeSpan FollowRetry { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>How long the target job waits, healthy, for the client to publish n8n and confirm.</summary>
        public TimeSpan HoldTimeout { get; set; } = TimeSpan.FromSeconds(600);

        /// <summary>A copy without the database password (the target job's scripts read it from the job's own 0600 file).</summary>
        internal DeploySettings WithoutPassword() { var c = (DeploySettings)MemberwiseClone(); c.DatabasePassword = null; return c; }

        /// <summary>A copy (a host of several changes its root, port and health URL on it).</summary>
        internal DeploySettings Copy() => (DeploySettings)MemberwiseClone();

        /// <summary>The Odoo CLI on the target, templates expanded.</summary>
        public string OdooCli => Expand(OdooCommand ?? Runtime switch
        {
            "compose" => "docker compose --project-directory {root} exec -T {service} odoo",
            "command" => throw new Infrastructure.DeployException(ErrorIds.ConfigurationMissing, ErrorKind.InvalidArgument,
                $"OdooRuntime is 'command' for '{Environment}' but OdooCommand is not set", "OdooCommand"),
            _ => "sudo -n -u odoo odoo -c /etc/odoo/odoo.conf",
        });

        public string Restart => Expand(RestartCommand ?? Runtime switch
        {
            "compose" => "docker compose --project-directory {root} restart {service}",
            "command" => throw new Infrastructure.DeployException(ErrorIds.ConfigurationMissing, ErrorKind.InvalidArgument,
                $"OdooRuntime is 'command' for '{Environment}' but RestartCommand is not set", "RestartCommand"),
            _ => "sudo -n systemctl restart {service}",
        });

        public string Stop => Expand(StopCommand ?? Runtime switch
        {
            "compose" => "docker compose --project-directory {root} stop {service}",
            "command" => throw new Infrastructure.DeployException(ErrorIds.ConfigurationMissing, ErrorKind.InvalidArgument,
                $"OdooRuntime is 'command' for '{Environment}' but StopCommand is not set: a deploy stops Odoo before its backup so no write is lost", "StopCommand"),
            _ => "sudo -n systemctl stop {service}",
        });

        /// <summary>A command template of this environment with {root} {current} {db} {service} {port} expanded.</summary>
        internal string ExpandTemplate(string template) => Expand(template);

        private string Expand(string template) => template
            .Replace("{root}", TargetTransportExtensions.ShellQuote(Root))
            .Replace("{current}", TargetTransportExtensions.ShellQuote(Root + "/current"))
            .Replace("{db}", TargetTransportExtensions.ShellQuote(Database))
            .Replace("{service}", TargetTransportExtensions.ShellQuote(Service))
            .Replace("{port}", HttpPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "{port}");

        public static DeploySettings From(DeployConfiguration config, string localWorkingDirectory)
        {
            string transport = config.Get("Transport") ?? "ssh";
            string root = config.Require("DeployRoot");
            if (transport == "local") root = Path.GetFullPath(Path.Combine(localWorkingDirectory, root));
            else if (!root.StartsWith("/", StringComparison.Ordinal))
                throw new Infrastructure.DeployException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidArgument,
                    $"DeployRoot '{root}' of '{config.Environment}' must be an absolute path on the target", "DeployRoot");
            return new DeploySettings
            {
                Environment = config.Environment,
                Root = root.TrimEnd('/'),
                Database = config.Require("OdooDatabase"),
                DatabaseHost = config.Get("OdooDatabaseHost") ?? "localhost",
                DatabasePort = config.Integer("OdooDatabasePort"),
                DatabaseUser = config.Get("OdooDatabaseUser") ?? "odoo",
                DatabasePassword = config.Get("OdooDatabasePassword"),
                Runtime = config.Get("OdooRuntime") ?? "systemd",
                Service = config.Get("OdooService") ?? "odoo",
                OdooCommand = config.Get("OdooCommand"),
                RestartCommand = config.Get("RestartCommand"),
                StopCommand = config.Get("StopCommand"),
                HttpPort = config.Get("OdooHttpPort") is string port ? config.Integer("OdooHttpPort") : (int?)null,
                NeutralizeCommand = config.Get("NeutralizeCommand"),
                BaseUrl = config.Get("OdooUrl"),
                LedgerKey = config.Get("LedgerKey"),
                HealthUrl = config.Get("HealthUrl") ?? config.Get("OdooUrl"),
                HealthTimeout = TimeSpan.FromSeconds(config.Integer("HealthTimeout")),
                LockLease = TimeSpan.FromSeconds(Math.Max(30, config.Integer("LockLease"))),
                CancelGrace = TimeSpan.FromSeconds(Math.Max(0, config.Integer("CancelGrace"))),
                FilestorePath = config.Get("FilestorePath"),
                KeepReleases = Math.Max(2, config.Integer("KeepReleases")),
                KeepBackups = Math.Max(1, config.Integer("KeepBackups")),
                BackupBeforeUpgrade = config.Toggle("BackupBeforeUpgrade"),
                RequireChangeApproval = Configuration.DeployEnvironment.IsProduction(config.Environment) || config.Toggle("RequireChangeApproval"),
            };
        }

        /// <summary>The transport of an environment: local, or SSH with the host key pinned; several hosts
        /// (<c>OdooSshHost</c> a comma-separated list, or <c>Hosts</c>) make a <see cref="HostGroup"/>, the first
        /// host its primary. Connections open lazily, so the hosts' connections open in parallel with their first step.</summary>
        public static ITargetTransport TransportFor(DeployConfiguration config, string localWorkingDirectory)
        {
            if ((config.Get("Transport") ?? "ssh") == "local") return new LocalTransport(localWorkingDirectory);
            IReadOnlyList<HostSpec> specs = HostSpec.From(config);
            var hosts = specs.Select(spec => new DeployHost(Ssh(config, spec), spec)).ToList();
            if (hosts.Count == 1 && specs[0].DeployRoot == null && specs[0].HttpPort == null && specs[0].HealthUrl == null) return hosts[0].Transport;
            var names = hosts.GroupBy(h => h.Name).FirstOrDefault(g => g.Count() > 1);
            if (names != null) throw new Infrastructure.DeployException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidArgument,
                $"{names.Key} is listed twice among the hosts of '{config.Environment}'", "Hosts");
            return new HostGroup(hosts);
        }

        private static SshTransport Ssh(DeployConfiguration config, HostSpec spec) => new SshTransport(new SshTarget
        {
            Host = spec.Host,
            Port = spec.Port ?? config.Integer("OdooSshPort"),
            User = spec.User ?? config.Require("OdooSshUser"),
            PrivateKey = config.Require("OdooSshPrivateKey"),
            KeyPassphrase = config.Get("OdooSshKeyPassphrase"),
            // a host of several with its own key pin uses only that (another host's fingerprint would never match)
            HostKeyFingerprint = spec.HostKey ?? (spec.KnownHosts != null ? null : config.Get("OdooSshHostKey")),
            KnownHostsFile = spec.KnownHosts ?? config.Get("OdooSshKnownHosts"),
            TrustOnFirstUse = config.Toggle("OdooSshTrustOnFirstUse"),
        });
    }
}
