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
        /// <summary>deploy, undo, backup, restore, refresh.</summary>
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
        /// <summary>Why (a lock broken or taken over: the reason given, or why its holder is provably gone).</summary>
        public string? Reason { get; set; }
        /// <summary>refresh: the environment and database the copy came from ("production:influencegen").</summary>
        public string? Source { get; set; }
        /// <summary>refresh: whether the copy was neutralized with odoo-bin neutralize (database.is_neutralized).</summary>
        public bool? Neutralized { get; set; }
        /// <summary>refresh: sha256 of the dump as streamed from the source (the copy's identity).</summary>
        public string? DumpSha256 { get; set; }
        public string? ApprovalSkippedReason { get; set; }
        public string User { get; set; } = string.Empty;
        /// <summary>The Odoo server (user@host:port) of an environment with several: each host's ledger holds its own line
        /// of a deploy (same Id on every host); absent with one host.</summary>
        public string? Host { get; set; }
        public string StartedAt { get; set; } = string.Empty;
        public string FinishedAt { get; set; } = string.Empty;
        public List<DeploymentStep> Steps { get; set; } = new List<DeploymentStep>();
        /// <summary>sha256 of the previous ledger line (64 zeros for the first).</summary>
        public string PreviousHash { get; set; } = string.Empty;
        /// <summary>sha256 of this entry without this field, or its HMAC-SHA256 under the ledger key (HashKind).</summary>
        public string Hash { get; set; } = string.Empty;
        /// <summary>"hmac-sha256" when keyed with the ledger key (INFLUENCEGEN_LEDGER_KEY); absent = plain sha256.</summary>
        public string? HashKind { get; set; }

        /// <summary>Set by -Verify: the entry's own hash and its link to the previous line hold.</summary>
        [JsonIgnore] public bool? Verified { get; set; }
        [JsonIgnore] public string? VerifyProblem { get; set; }
        [JsonIgnore] public int Line { get; set; }
        /// <summary>Several hosts: the line each host's ledger received (the primary's first), as the deploy returns it.</summary>
        [JsonIgnore] public DeploymentRecord[]? HostRecords { get; set; }

        /// <summary>The outcome was good (Succeeded or Unchanged) and, when verified, the entry's chain holds.</summary>
        [JsonIgnore] public bool Ok => (Status == "Succeeded" || Status == "Unchanged") && Verified != false;

        public double Seconds => DateTimeOffset.TryParse(StartedAt, out var s) && DateTimeOffset.TryParse(FinishedAt, out var f) ? Math.Round((f - s).TotalSeconds, 1) : 0;

        public override string ToString() => $"{Environment} {Release} {Status}";
    }

    /// <summary>
    /// The append-only ledger &lt;root&gt;/deployments.jsonl: one JSON object a line, each carrying the hash of
    /// the previous line and a hash of itself. With a ledger key (a secret CI variable the target never sees)
    /// each hash is an HMAC-SHA256, so an edit with the chain recomputed is detected; without it only edits
    /// that leave the chain broken are. Removing lines at the end leaves a valid chain: it is detected only
    /// against a head kept elsewhere (<c>-ExpectedHead</c>, e.g. the Hash of the deploy result kept as a job artifact).
    /// </summary>
    public static class DeploymentLedger
    {
        public const string FileName = "deployments.jsonl";
        public const string Keyed = "hmac-sha256";
        /// <summary>A line the deploy's target job wrote itself: its HMAC key is derived from the ledger key and the
        /// entry's Id (<see cref="JobKey"/>), so the ledger key never reaches the target and the key the job holds
        /// signs nothing but that one entry.</summary>
        public const string JobKeyed = "hmac-sha256-job";

        /// <summary>The key a target job signs its one ledger line with: HMAC(ledger key, "influencegen-ledger-job:" + id), hex.</summary>
        public static string JobKey(string ledgerKey, string entryId) => Mac("influencegen-ledger-job:" + entryId, ledgerKey);

        /// <summary>The hash of a ledger line as the next line links to it.</summary>
        public static string LinkHash(string line, string? key) => HashOf(line, string.IsNullOrEmpty(key) ? null : key);
        public static readonly string Genesis = new string('0', 64);

        private static readonly JsonSerializer Serializer = JsonSerializer.Create(new JsonSerializerSettings
        {
            NullValueHandling = NullValueHandling.Ignore,
            Formatting = Formatting.None,
        });

        public static string Sha256Hex(string text) => Hashing.Sha256Hex(text);

        private static string Mac(string text, string key)
        {
            using var h = new HMACSHA256(Encoding.UTF8.GetBytes(key));
            return string.Concat(h.ComputeHash(Encoding.UTF8.GetBytes(text)).Select(b => b.ToString("x2")));
        }

        private static string HashOf(string text, string? key) => key == null ? Sha256Hex(text) : Mac(text, key);

        /// <summary>The line for <paramref name="record"/> after <paramref name="previousLine"/> (null = first), keyed when <paramref name="key"/> is set.</summary>
        public static string ToLine(DeploymentRecord record, string? previousLine, string? key = null)
        {
            key = string.IsNullOrEmpty(key) ? null : key;
            record.PreviousHash = string.IsNullOrEmpty(previousLine) ? Genesis : HashOf(previousLine!, key);
            record.HashKind = key == null ? null : Keyed;
            record.Hash = string.Empty;
            JObject obj = JObject.FromObject(record, Serializer);
            obj.Remove("Hash");
            record.Hash = HashOf(obj.ToString(Formatting.None), key);
            obj.Add("Hash", record.Hash);
            return obj.ToString(Formatting.None);
        }

        /// <summary>Reads the ledger; with <paramref name="verify"/> checks each entry's hash and link (keyed entries
        /// need <paramref name="key"/>; with a key, an unkeyed entry after a keyed one, or an unkeyed last entry, is
        /// refused) and, with <paramref name="expectedHead"/>, that the entry with that hash is still there (a
        /// ledger cut at the end, or rewritten, no longer holds it).</summary>
        public static List<DeploymentRecord> Parse(string text, bool verify, string? key = null, string? expectedHead = null)
        {
            key = string.IsNullOrEmpty(key) ? null : key;
            var result = new List<DeploymentRecord>();
            string[] lines = text.Replace("\r\n", "\n").Split('\n');
            string? previous = null;
            bool previousKeyed = false, seenKeyed = false;
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
                    bool jobKeyed = record.HashKind == JobKeyed;
                    bool keyed = record.HashKind == Keyed || jobKeyed;
                    string? problem = null;
                    if (record.Status == "Unreadable") problem = "not valid JSON";
                    else if (keyed && key == null) problem = $"line {number} is keyed (hmac-sha256): verifying it needs the ledger key (INFLUENCEGEN_LEDGER_KEY)";
                    else if (!keyed && seenKeyed) problem = $"line {number} is not keyed although earlier lines are: it was written or rewritten without the ledger key";
                    else if (jobKeyed && string.IsNullOrEmpty(record.Id)) problem = $"line {number} is signed by a target job but has no Id";
                    else if (record.HashKind != null && !keyed) problem = $"line {number} has an unknown HashKind '{record.HashKind}'";
                    else
                    {
                        // the link uses the hash kind of this line (the first keyed line links to an unkeyed one by HMAC too)
                        string expectedPrevious = previous == null ? Genesis : HashOf(previous, keyed ? key : null);
                        if (!string.Equals(record.PreviousHash, expectedPrevious, StringComparison.Ordinal))
                            problem = previous == null ? "the first entry does not start the chain (lines before it were removed?)" : $"line {number} does not carry the hash of line {number - 1}: an earlier line was edited, inserted or removed";
                        else
                        {
                            var copy = (JObject)obj.DeepClone();
                            copy.Remove("Hash");
                            string ownKey = jobKeyed ? JobKey(key!, record.Id) : key!;
                            if (!string.Equals(HashOf(copy.ToString(Formatting.None), keyed ? ownKey : null), record.Hash, StringComparison.Ordinal))
                                problem = keyed ? $"line {number} was edited, or written with another key (its HMAC does not match)" : $"line {number} was edited (its content no longer matches its hash)";
                        }
                    }
                    seenKeyed |= keyed;
                    previousKeyed = keyed;
                    record.Verified = problem == null;
                    record.VerifyProblem = problem;
                }
                result.Add(record);
                previous = line;
            }
            if (verify && result.Count > 0)
            {
                DeploymentRecord last = result[result.Count - 1];
                if (key != null && !previousKeyed && last.Verified == true)
                {
                    last.Verified = false;
                    last.VerifyProblem = $"the ledger key is set but the last entry (line {last.Line}) is not keyed: the ledger was rewritten without the key";
                }
                if (!string.IsNullOrEmpty(expectedHead) && !result.Any(r => string.Equals(r.Hash, expectedHead, StringComparison.OrdinalIgnoreCase)) && last.Verified == true)
                {
                    last.Verified = false;
                    last.VerifyProblem = $"no entry has the expected head {expectedHead}: entries were removed at the end, or the ledger was rewritten";
                }
            }
            if (verify && result.Count == 0 && !string.IsNullOrEmpty(expectedHead))
                result.Add(new DeploymentRecord { Status = "Missing", Verified = false, VerifyProblem = $"the ledger is empty but its head should be {expectedHead}: it was removed or emptied" });
            return result;
        }
    }
}
