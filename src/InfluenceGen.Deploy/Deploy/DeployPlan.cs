using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace InfluenceGen.Deploy.Deploy
{
    /// <summary>What a deploy would do (Deploy-InfluenceGen -WhatIf; table view: InfluenceGen.Deploy.Deploy.DeployPlan).</summary>
    public sealed class DeployPlan
    {
        public string Environment { get; set; } = string.Empty;
        public string Target { get; set; } = string.Empty;
        public string Root { get; set; } = string.Empty;
        public string Database { get; set; } = string.Empty;
        public string Release { get; set; } = string.Empty;
        public string? CurrentRelease { get; set; }
        public string PackageSha256 { get; set; } = string.Empty;
        /// <summary>False when the package is the one already active: nothing is uploaded.</summary>
        public bool Upload { get; set; }
        public string[] Install { get; set; } = Array.Empty<string>();
        public string[] Upgrade { get; set; } = Array.Empty<string>();
        public string[] Unchanged { get; set; } = Array.Empty<string>();
        public bool Backup { get; set; }
        public bool Switch { get; set; }
        public bool Restart { get; set; }
        public bool GateRequired { get; set; }
        public string[] Workflows { get; set; } = Array.Empty<string>();
        public string[] Steps { get; set; } = Array.Empty<string>();
        /// <summary>The Odoo servers (user@host:port, the primary first) when the environment has several.</summary>
        public string[] Hosts { get; set; } = Array.Empty<string>();
        /// <summary>The checksums to store after the install/upgrade (module_auto_update key).</summary>
        internal string? ChecksumsJson { get; set; }
        internal IReadOnlyList<string> ActiveLanguages { get; set; } = Array.Empty<string>();
        internal string? LedgerTail { get; set; }
        internal string[] Releases { get; set; } = Array.Empty<string>();

        internal DeployPlan Copy() => (DeployPlan)MemberwiseClone();

        public bool NothingToDo => !Upload && !Switch && Install.Length == 0 && Upgrade.Length == 0 && Workflows.Length == 0;

        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.Append($"Deploy to {Environment} ({Target}, {Root}, database {Database}):\n");
            foreach (string step in Steps) sb.Append("  - ").Append(step).Append('\n');
            return sb.ToString().TrimEnd('\n');
        }
    }
}

namespace InfluenceGen.Deploy.Deploy
{
    /// <summary>What Undo-InfluenceGenDeployment would do; with a backup, what would be lost (everything written after BackupAt).</summary>
    public sealed class UndoPlan
    {
        public string Environment { get; set; } = string.Empty;
        public string? Current { get; set; }
        public string Target { get; set; } = string.Empty;
        public string? Backup { get; set; }
        public string? BackupAt { get; set; }
    }
}
