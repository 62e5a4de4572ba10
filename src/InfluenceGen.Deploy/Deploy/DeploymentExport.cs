using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace InfluenceGen.Deploy.Deploy
{
    /// <summary>CSV of the ledger (RFC 4180 quoting), one row per entry.</summary>
    public static class DeploymentExport
    {
        private static readonly string[] Columns = { "Line", "Id", "Kind", "Environment", "Status", "Release", "PreviousRelease", "ActiveRelease", "PackageSha256",
            "Installed", "Upgraded", "Unchanged", "Backup", "DatabaseRestored", "FailedStep", "Error", "ChangeRequest", "ApprovalSkippedReason", "User", "StartedAt", "FinishedAt", "Verified", "Hash" };

        public static string ToCsv(IEnumerable<DeploymentRecord> records)
        {
            var sb = new StringBuilder(string.Join(",", Columns)).Append("\r\n");
            foreach (DeploymentRecord r in records)
            {
                object?[] v = { r.Line, r.Id, r.Kind, r.Environment, r.Status, r.Release, r.PreviousRelease, r.ActiveRelease, r.PackageSha256,
                    string.Join(" ", r.Installed), string.Join(" ", r.Upgraded), string.Join(" ", r.Unchanged), r.Backup, r.DatabaseRestored, r.FailedStep, r.Error,
                    r.ChangeRequest, r.ApprovalSkippedReason, r.User, r.StartedAt, r.FinishedAt, r.Verified, r.Hash };
                sb.Append(string.Join(",", v.Select(Quote))).Append("\r\n");
            }
            return sb.ToString();
        }

        private static string Quote(object? value)
        {
            string s = value switch { null => "", bool b => b ? "true" : "false", _ => value.ToString() ?? "" };
            return s.IndexOfAny(new[] { ',', '"', '\r', '\n' }) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        }
    }
}
