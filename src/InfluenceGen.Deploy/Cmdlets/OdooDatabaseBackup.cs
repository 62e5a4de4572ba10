namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>The result of Backup-OdooDatabase.</summary>
    public sealed class OdooDatabaseBackup
    {
        public string Environment { get; set; } = string.Empty;
        public string Database { get; set; } = string.Empty;
        public string Path { get; set; } = string.Empty;
        public override string ToString() => Path;
    }
}
