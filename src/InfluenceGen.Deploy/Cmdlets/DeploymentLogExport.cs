namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>What Export-InfluenceGenDeploymentLog wrote (table view in InfluenceGen.Deploy.Deploy.Format.ps1xml).</summary>
    public sealed class DeploymentLogExport
    {
        public string Environment { get; set; } = string.Empty;
        public string Format { get; set; } = string.Empty;
        /// <summary>The file written; its SHA-256 is in Path.sha256.</summary>
        public string Path { get; set; } = string.Empty;
        public string Sha256 { get; set; } = string.Empty;
        /// <summary>The ledger entries exported.</summary>
        public int Entries { get; set; }
        public override string ToString() => Path;
    }
}
