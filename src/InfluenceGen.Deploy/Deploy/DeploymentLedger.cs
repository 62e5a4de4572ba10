using InfluenceGen.Deploy.Infrastructure;
using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Deploy
{
    /// <summary>One step of a deployment as the ledger records it.</summary>
    public sealed class DeploymentStep
    {
        public string Name { get; set; } = string.Empty;
        /// <summary>ok, skipped, failed, not-run, rolled-back.</summary>
        public string Status { get; set; } = string.Empty;
        public string? Detail { get; set; }
        public double Seconds { get; set; }
        public override string ToString() => Detail == null ? $"{Name}: {Status}" : $"{Name}: {Status} ({Detail})";
    }

    /// <summary>One entry of the deployment ledger (table view: InfluenceGen.Deploy.Deploy.DeploymentRecord).</summary>
    public sealed class DeploymentRecord
    {
        public string Id { get; set; } = string.Empty;
        /// <summary>deploy, undo, backup, restore.</summary>
        public string Kind { get; set; } = "deploy";
        public string Environment { get; set; } = string.Empty;
        /// <summary>Succeeded, Unchanged, Failed (nothing was activated), RolledBack (activated, then verifiably put back:
        /// code, database, Odoo healthy), RollbackIncomplete (activated and NOT all put back: see Error).</summary>
        public string Status { get; set; } = string.Empty;
        public string? Release { get; set; }
        public string? PreviousRelease { get; set; }
        /// <summary>The release active when the entry was written.</summary>
        public string? ActiveRelease { get; set; }
        public string? PackageSha256 { get; set; }
        public string? PackageName { get; set; }
        public string[] Installed { get; set; } = Array.Empty<string>();
        public string[] Upgraded { get; set; } = Array.Empty<string>();
        public string[] Unchanged { get; set; } = Array.Empty<string>();
        public string[] Workflows { get; set; } = Array.Empty<string>();
        public string? Backup { get; set; }
        /// <summary>When the backup was taken (UTC): what Undo -RestoreDatabase goes back to.</summary>
        public string? BackupAt { get; set; }
        public bool DatabaseRestored { get; set; }
        public string? FailedStep { get; set; }
        public string? Error { get; set; }
        public string? ChangeRequest { get; set; }
        public string? ApprovalSkippedReason { get; set; }
        public string User { get; set; } = string.Empty;
        public string StartedAt { get; set; } = string.Empty;
        public string FinishedAt { get; set; } = string.Empty;
        public List<DeploymentStep> Steps { get; set; } = new List<DeploymentStep>();
        /// <summary>sha256 of the previous ledger line (64 zeros for the first).</summary>
        public string PreviousHash { get; set; } = string.Empty;
        /// <summary>sha256 of this entry without this field.</summary>
        public string Hash { get; set; } = string.Empty;

        /// <summary>Set by -Verify: the entry's own hash and its link to the previous line hold.</summary>
        [JsonIgnore] public bool? Verified { get; set; }
        [JsonIgnore] public string? VerifyProblem { get; set; }
        [JsonIgnore] public int Line { get; set; }

        /// <summary>The outcome was good (Succeeded or Unchanged) and, when verified, the entry's chain holds.</summary>
        [JsonIgnore] public bool Ok => (Status == "Succeeded" || Status == "Unchanged") && Verified != false;

        public double Seconds => DateTimeOffset.TryParse(StartedAt, out var s) && DateTimeOffset.TryParse(FinishedAt, out var f) ? Math.Round((f - s).TotalSeconds, 1) : 0;

        public override string ToString() => $"{Environment} {Release} {Status}";
    }

    /// <summary>
    /// The append-only ledger &lt;root&gt;/deployments.jsonl: one JSON object a line, each carrying the
    /// sha256 of the previous line and a hash of itself, so any edit, insertion or removal is detected.
    /// </summary>
    public static class DeploymentLedger
    {
        public const string FileName = "deployments.jsonl";
        public static readonly string Genesis = new string('0', 64);

        private static readonly JsonSerializer Serializer = JsonSerializer.Create(new JsonSerializerSettings
        {
            NullValueHandling = NullValueHandling.Ignore,
            Formatting = Formatting.None,
        });

        public static string Sha256Hex(string text) => Hashing.Sha256Hex(text);

        /// <summary>The line for <paramref name="record"/> after <paramref name="previousLine"/> (null = first).</summary>
        public static string ToLine(DeploymentRecord record, string? previousLine)
        {
            record.PreviousHash = string.IsNullOrEmpty(previousLine) ? Genesis : Sha256Hex(previousLine!);
            record.Hash = string.Empty;
            JObject obj = JObject.FromObject(record, Serializer);
            obj.Remove("Hash");
            record.Hash = Sha256Hex(obj.ToString(Formatting.None));
            obj.Add("Hash", record.Hash);
            return obj.ToString(Formatting.None);
        }

        public static List<DeploymentRecord> Parse(string text, bool verify)
        {
            var result = new List<DeploymentRecord>();
            string[] lines = text.Replace("\r\n", "\n").Split('\n');
            string? previous = null;
            int number = 0;
            foreach (string line in lines)
            {
                number++;
                if (line.Length == 0) continue;
                DeploymentRecord record;
                JObject obj;
                try
                {
                    using var reader = new JsonTextReader(new System.IO.StringReader(line)) { DateParseHandling = DateParseHandling.None };
                    obj = JObject.Load(reader);
                    record = obj.ToObject<DeploymentRecord>(Serializer)!;
                }
                catch (JsonException ex)
                {
                    record = new DeploymentRecord { Status = "Unreadable", Error = ex.Message };
                    obj = new JObject();
                    if (!verify) { record.Line = number; result.Add(record); previous = line; continue; }
                }
                record.Line = number;
                if (verify)
                {
                    string? problem = null;
                    string expectedPrevious = previous == null ? Genesis : Sha256Hex(previous);
                    if (record.Status == "Unreadable") problem = "not valid JSON";
                    else if (!string.Equals(record.PreviousHash, expectedPrevious, StringComparison.Ordinal))
                        problem = previous == null ? "the first entry does not start the chain (lines before it were removed?)" : $"line {number} does not carry the hash of line {number - 1}: an earlier line was edited, inserted or removed";
                    else
                    {
                        var copy = (JObject)obj.DeepClone();
                        copy.Remove("Hash");
                        if (!string.Equals(Sha256Hex(copy.ToString(Formatting.None)), record.Hash, StringComparison.Ordinal))
                            problem = $"line {number} was edited (its content no longer matches its hash)";
                    }
                    record.Verified = problem == null;
                    record.VerifyProblem = problem;
                }
                result.Add(record);
                previous = line;
            }
            return result;
        }
    }
}
