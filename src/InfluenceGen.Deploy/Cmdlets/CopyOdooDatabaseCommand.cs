using System;
using System.IO;
using System.Management.Automation;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Environments;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Refreshes an environment's database from another's (staging from production): streamed dump, restore into a
    /// new database, neutralize, fresh identity + the repository's statements, swap by rename with Odoo stopped,
    /// health. Never into production. The work is in <see cref="DatabaseCopyService"/>.
    /// </summary>
    [Cmdlet(VerbsCommon.Copy, "OdooDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Readme + "#get-help-copy-odoodatabase")]
    [OutputType(typeof(DatabaseCopyResult))]
    public sealed class CopyOdooDatabaseCommand : EnvironmentCmdletBase
    {
        /// <summary>The environment copied from (e.g. production).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        [ValidateNotNullOrEmpty]
        public string From { get; set; } = null!;

        /// <summary>The environment whose database is replaced (never production).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        [ValidateNotNullOrEmpty]
        public string To { get; set; } = null!;

        /// <summary>Run odoo-bin neutralize on the copy (no mails, crons off; sets database.is_neutralized).</summary>
        [Parameter]
        public SwitchParameter Neutralize { get; set; }

        /// <summary>Copy the filestore too (FilestorePath of both environments).</summary>
        [Parameter]
        public SwitchParameter IncludeFilestore { get; set; }

        /// <summary>The repository's SQL statements run on the copy (default: the destination's RefreshSqlFile setting).</summary>
        [Parameter]
        public string? SqlPath { get; set; }

        /// <summary>Keep the streamed dump in the destination's backups folder (it is not neutralized).</summary>
        [Parameter]
        public SwitchParameter KeepDump { get; set; }

        [Parameter]
        [ValidateRange(0, 3600)]
        public int LockTimeout { get; set; }

        /// <summary>Do not ask (CI).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void Process()
        {
            var (srcConfig, src) = SettingsOf(From);
            var (dstConfig, dst) = SettingsOf(To);
            DatabaseCopyService.Guard(src, Target(srcConfig), dst, Target(dstConfig), Production());
            var request = new DatabaseCopyRequest
            {
                Neutralize = Neutralize, IncludeFilestore = IncludeFilestore, KeepDump = KeepDump,
                LockTimeout = TimeSpan.FromSeconds(LockTimeout), User = System.Environment.UserName,
            };
            string? sqlFile = SqlPath ?? dstConfig.Target.RefreshSqlFile;
            if (sqlFile != null)
            {
                string path = ResolveOutputPath(sqlFile);
                if (!File.Exists(path)) throw new DeployException(ErrorIds.PathNotFound, ErrorKind.ObjectNotFound, $"the SQL file '{sqlFile}' does not exist" + (SqlPath == null ? " (RefreshSqlFile of " + dst.Environment + ")" : ""), sqlFile);
                request.Sql = File.ReadAllText(path);
                request.SqlFile = sqlFile;
                DatabaseCopyRequest.CheckSql(request.Sql, sqlFile);
            }
            using ITargetTransport source = DeploySettings.TransportFor(srcConfig, CurrentDirectory);
            using ITargetTransport destination = DeploySettings.TransportFor(dstConfig, CurrentDirectory);
            var service = new DatabaseCopyService(source, src, destination, dst);
            string plan = string.Join("; ", service.Describe(request));
            string what = $"replace {dst.Database} with a copy of {src.Environment}'s {src.Database}: EVERYTHING IN {dst.Database} IS LOST. {plan}";
            if (!Neutralize) Warning($"the copy of {src.Environment} is not neutralized (-Neutralize not given): its crons and mail servers stay active in {dst.Environment}");
            if (!(Force && !WhatIfGiven) && !ShouldProcess($"{dst.Database} on {dst.Environment}", what)) return;
            WriteObject(Run($"Copying {src.Environment} into {dst.Environment}", (log, ct) => service.CopyAsync(request, log, ct)));
        }
    }
}
