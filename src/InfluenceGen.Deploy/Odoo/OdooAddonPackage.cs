using System;
using System.Collections.Generic;

namespace InfluenceGen.Deploy.Odoo
{
    /// <summary>One addon inside a package (table view: InfluenceGen.Deploy.Odoo.OdooAddon).</summary>
    public sealed class OdooAddon
    {
        public string Name { get; set; } = string.Empty;
        public string Title { get; set; } = string.Empty;
        public string Version { get; set; } = string.Empty;
        /// <summary>module_auto_update-compatible SHA-1 over the addon's files.</summary>
        public string Checksum { get; set; } = string.Empty;
        public string[] Depends { get; set; } = Array.Empty<string>();
        /// <summary>Dependencies not in the package (Odoo's own addons such as base, web, mail).</summary>
        public string[] ExternalDepends { get; set; } = Array.Empty<string>();
        public bool AutoInstall { get; set; }
        public int FileCount { get; set; }
        public long Size { get; set; }
        /// <summary>Where the addon was found (empty when read back from a zip).</summary>
        public string SourcePath { get; set; } = string.Empty;

        public override string ToString() => $"{Name} {Version}";
    }

    /// <summary>A deterministic addon package (table view: InfluenceGen.Deploy.Odoo.OdooAddonPackage).</summary>
    public sealed class OdooAddonPackage
    {
        public const string MetadataEntry = "influencegen-package.json";

        public string Path { get; set; } = string.Empty;
        public long Size { get; set; }
        /// <summary>SHA-256 of the zip file itself; verified on the target before extraction.</summary>
        public string Sha256 { get; set; } = string.Empty;
        /// <summary>SHA-256 over the packaged files (names and content), independent of compression.</summary>
        public string ContentHash { get; set; } = string.Empty;
        /// <summary>The addons in installation order (dependencies first).</summary>
        public OdooAddon[] Addons { get; set; } = Array.Empty<OdooAddon>();
        public int FileCount { get; set; }
        /// <summary>False for -WhatIf: the plan of what would be packaged.</summary>
        public bool Written { get; set; }

        public int AddonCount => Addons.Length;
        public override string ToString() => Path;
    }
}
