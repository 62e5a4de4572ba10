using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Tests.Harness;
using Xunit;

namespace InfluenceGen.Deploy.Tests.Deploy
{
    /// <summary>The deploy cmdlets in a real runspace, over the real sshd into the real PostgreSQL.</summary>
    public class DeployCmdletTests
    {
        /// <summary>The error id a cmdlet ended with (statement-terminating errors land in the error stream).</summary>
        private static string? ErrorId(PsResult r) => (r.Terminating ?? r.Errors.LastOrDefault())?.FullyQualifiedErrorId.Split(',')[0];

        /// <summary>An environments file for a target, secrets in the process variables as CI gives them.</summary>
        private static (TempDir dir, string file) Environments(DeployTarget t, string env = "qa")
        {
            var dir = new TempDir("igenv");
            string file = dir.Write("environments.json", $$"""
            {
              "environments": {
                "{{env}}": {{t.EnvironmentEntry("\"HealthTimeout\": 5, \"BackupBeforeUpgrade\": true")}}
              }
            }
            """);
            string prefix = env == "production" ? "PROD" : env.ToUpperInvariant();
            Environment.SetEnvironmentVariable(prefix + "_ODOO_SERVER_SSH_PRIVATE_KEY", File.ReadAllText(TestServers.SshKey));
            Environment.SetEnvironmentVariable(prefix + "_ODOO_DB_PASSWORD", TestServers.PgPassword);
            return (dir, file);
        }

        [Fact]
        public void WhatIfPrintsThePlanAndChangesNothingThenTheDeployAndItsLedgerShow()
        {
            using var t = new DeployTarget();
            using var addons = new AddonSet(3);
            string pkg = addons.Build("v1.zip");
            var (dir, file) = Environments(t);
            using (dir)
            using (var ps = new PowerShellSession())
            {
                ps.SetVariable("cfg", file); ps.SetVariable("pkg", pkg);
                PsResult plan = ps.Invoke("Deploy-InfluenceGen -Environment qa -Package $pkg -ConfigurationPath $cfg -WhatIf");
                Assert.True(ErrorId(plan) == null, plan.AllText());
                PSObject p = plan.Single();
                Assert.Equal("InfluenceGen.Deploy.Deploy.DeployPlan", p.BaseObject.GetType().FullName);
                Assert.Equal(addons.Names, (string[])p.Properties["Install"].Value);
                Assert.True((bool)p.Properties["Backup"].Value);
                Assert.Null(t.Current);
                Assert.Equal(0, t.OdooCalls);
                Assert.False(Directory.Exists(t.Root + "/releases") && Directory.GetDirectories(t.Root + "/releases").Length > 0);

                ps.SetVariable("src", addons.Folder);
                PsResult deployed = ps.Invoke("New-OdooAddonPackage -Path $src -OutFile $pkg | Deploy-InfluenceGen qa -ConfigurationPath $cfg");
                Assert.True(ErrorId(deployed) == null, deployed.AllText());
                PSObject record = deployed.Output.Last();
                Assert.Equal("Succeeded", (string)record.Properties["Status"].Value);
                Assert.Contains(deployed.Progress, r => r.Activity.Contains("Deploying"));

                // the same package again: nothing to do, no Odoo command, two SSH round trips
                int calls = t.OdooCalls;
                PsResult again = ps.Invoke("Deploy-InfluenceGen qa $pkg -ConfigurationPath $cfg");
                Assert.Equal("Unchanged", (string)again.Output.Last().Properties["Status"].Value);
                Assert.Equal(calls, t.OdooCalls);
                Assert.Contains(again.Verbose, v => v.EndsWith(": 2 round trip(s)"));

                PsResult ledger = ps.Invoke("Get-InfluenceGenDeployment -Environment qa -ConfigurationPath $cfg -Verify -Last 1");
                Assert.True(ErrorId(ledger) == null, ledger.AllText());
                Assert.Equal(true, (bool?)ledger.Single().Properties["Verified"].Value);

                string csv = Path.Combine(dir.Path, "ledger.csv");
                ps.SetVariable("csv", csv);
                PsResult export = ps.Invoke("Export-InfluenceGenDeploymentLog -Environment qa -ConfigurationPath $cfg -Format Csv -OutFile $csv");
                Assert.True(ErrorId(export) == null, export.AllText());
                Assert.Contains((string)record.Properties["Release"].Value, File.ReadAllText(csv));
                Assert.Equal(3, File.ReadAllLines(csv).Length);   // header + 2 entries
                Assert.StartsWith(DeploymentLedger.Sha256Hex(File.ReadAllText(csv)), File.ReadAllText(csv + ".sha256"));

                // tamper with the ledger: -Verify fails with a stable id
                File.WriteAllText(t.Root + "/deployments.jsonl", File.ReadAllText(t.Root + "/deployments.jsonl").Replace("\"Succeeded\"", "\"Failed\""));
                PsResult tampered = ps.Invoke("Get-InfluenceGenDeployment -Environment qa -ConfigurationPath $cfg -Verify");
                Assert.Equal("LedgerTampered", ErrorId(tampered));

                Assert.DoesNotContain(TestServers.PgPassword, plan.AllText() + deployed.AllText() + ledger.AllText());
            }
        }

        [Fact]
        public void ProductionWithoutAGateIsNotApprovedAndSkippingNeedsAReason()
        {
            using var t = new DeployTarget("production");
            using var addons = new AddonSet(1);
            string pkg = addons.Build("v1.zip");
            var (dir, file) = Environments(t, "production");
            using (dir)
            using (var ps = new PowerShellSession())
            {
                ps.SetVariable("cfg", file); ps.SetVariable("pkg", pkg);
                PsResult denied = ps.Invoke("Deploy-InfluenceGen -Environment production -Package $pkg -ConfigurationPath $cfg -ChangeRequestId CHG-1 -Force");
                Assert.Equal("ChangeNotApproved", ErrorId(denied));
                Assert.Null(t.Current);
                Assert.False(t.Locked);

                PsResult noReason = ps.Invoke("Deploy-InfluenceGen -Environment production -Package $pkg -ConfigurationPath $cfg -SkipApproval -Force");
                Assert.Equal("SkipReasonMissing", ErrorId(noReason));

                // While JIRA integration is on, production's gate cannot be skipped at all.
                PsResult refused = ps.Invoke("Deploy-InfluenceGen -Environment production -Package $pkg -ConfigurationPath $cfg -SkipApproval -SkipReason 'INC-7 hotfix' -Force");
                Assert.Equal("SkipApprovalNotAllowed", ErrorId(refused));
                Assert.Null(t.Current);

                // Integration switched off (ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY=false, here in the file): skip with a reason.
                File.WriteAllText(file, File.ReadAllText(file).Replace("\"environments\": {", "\"global\": { \"EnableJiraIntegrationForProdDeploy\": false },\n  \"environments\": {"));
                PsResult skipped = ps.Invoke("Deploy-InfluenceGen -Environment production -Package $pkg -ConfigurationPath $cfg -SkipApproval -SkipReason 'INC-7 hotfix, CAB by phone' -Force");
                Assert.True(ErrorId(skipped) == null, skipped.AllText());
                Assert.Equal("INC-7 hotfix, CAB by phone", t.LastEntry.ApprovalSkippedReason);
                Assert.Contains(skipped.Warnings, w => w.Contains("SKIPPED"));
                Environment.SetEnvironmentVariable("PROD_ODOO_SERVER_SSH_PRIVATE_KEY", null);
                Environment.SetEnvironmentVariable("PROD_ODOO_DB_PASSWORD", null);
            }
        }

        [Fact]
        public void BackupAndRestoreOdooDatabasePutTheDatabaseBack()
        {
            using var t = new DeployTarget();
            var (dir, file) = Environments(t);
            using (dir)
            using (var ps = new PowerShellSession())
            {
                ps.SetVariable("cfg", file);
                PsResult backup = ps.Invoke("Backup-OdooDatabase -Environment qa -ConfigurationPath $cfg -Label before");
                Assert.True(ErrorId(backup) == null, backup.AllText());
                t.Psql(t.Database, "insert into ir_module_module (name, state) values ('ig_late', 'installed')");
                PsResult restore = ps.Invoke("Backup-OdooDatabase -Environment qa -ConfigurationPath $cfg -Label before -WhatIf; " +
                                             "Restore-OdooDatabase -Environment qa -ConfigurationPath $cfg -Path backups/" + t.Database + "-before.dump -Confirm:$false");
                Assert.True(restore.Terminating == null && restore.Errors.Count == 0, restore.AllText());
                Assert.DoesNotContain("ig_late", t.Modules().Keys);
            }
        }

        [Fact]
        public void TheDeployCmdletsAreExportedWithHelpExamples()
        {
            using var ps = new PowerShellSession();
            foreach (string name in new[] { "Deploy-InfluenceGen", "Get-InfluenceGenDeployment", "Undo-InfluenceGenDeployment", "Export-InfluenceGenDeploymentLog", "Backup-OdooDatabase", "Restore-OdooDatabase" })
            {
                PsResult r = ps.Invoke($"(Get-Help {name} -Examples).examples.example.Count");
                Assert.True((int)r.Single().BaseObject >= 2, name);
            }
            PsResult impact = ps.Invoke("(Get-Command Restore-OdooDatabase).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact");
            Assert.Equal("High", impact.Single().ToString());
        }
    }
}
