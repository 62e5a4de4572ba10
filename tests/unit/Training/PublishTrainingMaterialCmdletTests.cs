using System.Diagnostics;
using System.IO.Compression;
using System.Management.Automation;
using System.Text.RegularExpressions;
using InfluenceGen.Deploy.Tests.Deploy;
using InfluenceGen.Deploy.Tests.Approval;
using InfluenceGen.Deploy.Tests.Notify;
using InfluenceGen.Deploy.Tests.Harness;
using InfluenceGen.Deploy.Training;

namespace InfluenceGen.Deploy.Tests.Training
{
    /// <summary>
    /// Publish-TrainingMaterial in a real PowerShell session and as the pipeline's job line, configured
    /// through the CI variables the issue names; errors name the setting; secrets appear in no stream
    /// and in no command line on this machine or the web server.
    /// </summary>
    [Collection("ProcessEnvironment")]
    public sealed class PublishTrainingMaterialCmdletTests
    {
        private static readonly string[] Variables =
        {
            "TRAINING_PORTAL_TARGET_TYPE", "TRAINING_MATERIALS_ARTIFACT_PATH", "TRAINING_S3_BUCKET_URL", "AWS_ACCESS_KEY_ID_SECRET",
            "AWS_SECRET_ACCESS_KEY_SECRET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_ENDPOINT_URL_S3",
            "TRAINING_PORTAL_SSH_HOST", "TRAINING_PORTAL_SSH_PORT", "TRAINING_PORTAL_SSH_USER", "TRAINING_PORTAL_SSH_KEY_SECRET",
            "TRAINING_PORTAL_SSH_HOST_KEY", "TRAINING_PORTAL_TARGET_DIR", "ENABLE_TRAINING_MATERIALS_DEPLOY",
        };

        private static Dictionary<string, string> S3Variables(string bucket, string prefix = "portal") => new()
        {
            ["TRAINING_PORTAL_TARGET_TYPE"] = "S3",
            ["TRAINING_S3_BUCKET_URL"] = $"s3://{bucket}/{prefix}",
            ["AWS_ACCESS_KEY_ID_SECRET"] = S3Server.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY_SECRET"] = S3Server.SecretAccessKey,
            ["AWS_REGION"] = S3Server.Region,
            ["AWS_ENDPOINT_URL_S3"] = S3Server.Endpoint,
        };

        private static void With(Dictionary<string, string> variables, Action body)
        {
            var saved = Variables.Concat(variables.Keys).Distinct().ToDictionary(k => k, Environment.GetEnvironmentVariable);
            try
            {
                foreach (string v in Variables) Environment.SetEnvironmentVariable(v, null);
                foreach (var v in variables) Environment.SetEnvironmentVariable(v.Key, v.Value);
                body();
            }
            finally
            {
                foreach (var v in saved) Environment.SetEnvironmentVariable(v.Key, v.Value);
            }
        }

        /// <summary>Samples every command line on this machine (the web server's too: it is this machine) while <paramref name="body"/> runs.</summary>
        private static string WatchingCommandLines(Action body)
        {
            var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
            using var stop = new CancellationTokenSource();
            Task sampler = Task.Run(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    foreach (string dir in Directory.GetDirectories("/proc"))
                    {
                        try { seen.Add(File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ')); } catch (Exception) { }
                    }
                    Thread.Sleep(15);
                }
            });
            try { body(); }
            finally { stop.Cancel(); sampler.Wait(); }
            Assert.True(seen.Count > 50);
            return string.Join("\n", seen.Distinct());
        }

        [Fact]
        public void The_pipeline_job_line_publishes_incrementally_and_a_wrong_bucket_url_fails_it_naming_the_variable()
        {
            string yml = File.ReadAllText(Path.Combine(Repo.Root, "pipeline_templates", "training_jobs.yml"));
            string line = Regex.Match(yml, @"deploy_training_materials:[\s\S]*?script:\s*\n\s*- pwsh -NoProfile -NonInteractive -c '(?<cmd>[^']*)'").Groups["cmd"].Value;
            Assert.StartsWith("Publish-TrainingMaterial ", line);
            Assert.Matches(@"rules:\s*\n\s*- if: \(\$CI_COMMIT_BRANCH == \$CI_DEFAULT_BRANCH \|\| \$CI_COMMIT_TAG\) && \$ENABLE_TRAINING_MATERIALS_DEPLOY != ""false""", yml);
            Assert.Contains("  - local: pipeline_templates/training_jobs.yml", File.ReadAllText(Path.Combine(Repo.Root, ".gitlab-ci.yml")));
            Assert.Contains("  - deploy_training_materials", File.ReadAllText(Path.Combine(Repo.Root, ".gitlab-ci.yml")));

            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("build"));
            portal.Zip(tmp.Combine("training_docs.zip"));
            string bucket = S3Server.NewBucket();
            var env = S3Variables(bucket);
            env["TRAINING_MATERIALS_ARTIFACT_PATH"] = "training_docs.zip";

            HostProcess.Result first = null!;
            string commandLines = WatchingCommandLines(() => first = HostProcess.Run(tmp.Path, env, "-NoProfile", "-NonInteractive", "-c", line));
            Assert.True(first.ExitCode == 0, first.StdOut + first.StdErr);
            Assert.Contains("Publish-TrainingMaterial", commandLines);          // the sampler saw the job's process
            Assert.DoesNotContain(S3Server.SecretAccessKey, commandLines);
            Assert.DoesNotContain(S3Server.AccessKeyId, commandLines);
            Assert.Equal(portal.Files().Select(f => "portal/" + f), S3Server.List(bucket).Keys.OrderBy(k => k, StringComparer.Ordinal));

            portal.Write("guide/page-04.html", "<html>four, again</html>");
            portal.Zip(tmp.Combine("training_docs.zip"));
            HostProcess.Result second = HostProcess.Run(tmp.Path, env, "-NoProfile", "-NonInteractive", "-c", line + " -PassThru | Where-Object Action -ne Unchanged | ForEach-Object { \"$($_.Action) $($_.Path)\" }");
            Assert.True(second.ExitCode == 0, second.StdOut + second.StdErr);
            Assert.Equal("Update guide/page-04.html", second.StdOut.Trim());

            env["ENABLE_TRAINING_MATERIALS_DEPLOY"] = "false";
            portal.Write("index.html", "<html>not published</html>");
            portal.Zip(tmp.Combine("training_docs.zip"));
            HostProcess.Result off = HostProcess.Run(tmp.Path, env, "-NoProfile", "-NonInteractive", "-c", line);
            Assert.Equal(0, off.ExitCode);
            Assert.Contains("ENABLE_TRAINING_MATERIALS_DEPLOY is false", off.StdErr + off.StdOut);
            Assert.NotEqual(portal.Read("index.html"), S3Server.Get(bucket, "portal/index.html").Bytes);

            env.Remove("ENABLE_TRAINING_MATERIALS_DEPLOY");
            env["TRAINING_S3_BUCKET_URL"] = $"https://{bucket}.s3.amazonaws.com/portal";
            HostProcess.Result bad = HostProcess.Run(tmp.Path, env, "-NoProfile", "-NonInteractive", "-c", line);
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("TRAINING_S3_BUCKET_URL", bad.StdErr);
            Assert.Contains("not an s3:// URL", bad.StdErr);
            foreach (HostProcess.Result r in new[] { first, second, off, bad })
            {
                Assert.DoesNotContain(S3Server.SecretAccessKey, r.StdOut + r.StdErr);
                Assert.DoesNotContain(S3Server.AccessKeyId, r.StdOut + r.StdErr);
            }
        }

        [Fact]
        public void Missing_credentials_name_the_variables_to_set()
        {
            using var tmp = new TempDir();
            new Portal(tmp.Combine("site"), 1, 10);
            var env = S3Variables("somebucket");
            env.Remove("AWS_ACCESS_KEY_ID_SECRET");
            env.Remove("AWS_SECRET_ACCESS_KEY_SECRET");
            With(env, () =>
            {
                using var ps = new PowerShellSession(tmp.Path);
                PsResult r = ps.Invoke("Publish-TrainingMaterial site -Environment production");
                Assert.Equal("TrainingS3CredentialsMissing", r.Terminating?.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Contains("AWS_ACCESS_KEY_ID_SECRET", r.Terminating!.Exception.Message);
                Assert.Contains("AWS_SECRET_ACCESS_KEY_SECRET", r.Terminating.Exception.Message);
                Assert.Equal(ErrorCategory.AuthenticationError, r.Terminating.CategoryInfo.Category);
            });
            // half a pair says which half is missing
            env = S3Variables("somebucket");
            env.Remove("AWS_SECRET_ACCESS_KEY_SECRET");
            With(env, () =>
            {
                using var ps = new PowerShellSession(tmp.Path);
                PsResult r = ps.Invoke("Publish-TrainingMaterial site -Environment production");
                Assert.Contains("the secret access key is missing", r.Terminating!.Exception.Message);
                Assert.DoesNotContain(S3Server.AccessKeyId, r.AllText());
            });
        }

        [Fact]
        public void An_unreachable_endpoint_names_the_endpoint_setting()
        {
            using var tmp = new TempDir();
            new Portal(tmp.Combine("site"), 1, 10);
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            int closed = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var env = S3Variables("somebucket");
            env["AWS_ENDPOINT_URL_S3"] = $"http://127.0.0.1:{closed}";
            With(env, () =>
            {
                using var ps = new PowerShellSession(tmp.Path);
                PsResult r = ps.Invoke("Publish-TrainingMaterial site -Environment production");
                Assert.Equal("TrainingS3Unreachable", r.Terminating?.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Contains($"cannot reach http://127.0.0.1:{closed}/ (AWS_ENDPOINT_URL_S3)", r.Terminating!.Exception.Message);
                Assert.Contains(r.Verbose, v => v.Contains("retrying"));   // through the module's retry policy
                Assert.DoesNotContain(S3Server.SecretAccessKey, r.AllText());
            });
        }

        [Fact]
        public void Access_denied_names_the_credentials_and_the_bucket()
        {
            // S3 itself cannot run here and fauxqs does not check signatures: a server answering as S3 does
            // (403, <Error><Code>AccessDenied</Code>…, per the S3 API reference's error responses).
            using var s3 = new FakeHttpServer(_ => new FakeResponse
            {
                Status = 403, ContentType = "application/xml",
                Body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>igtest</HostId></Error>",
            });
            using var tmp = new TempDir();
            new Portal(tmp.Combine("site"), 1, 10);
            var env = S3Variables("locked");
            env["AWS_ENDPOINT_URL_S3"] = s3.BaseUrl.AbsoluteUri;
            With(env, () =>
            {
                using var ps = new PowerShellSession(tmp.Path);
                PsResult r = ps.Invoke("Publish-TrainingMaterial site -Environment production");
                Assert.Equal("TrainingS3AccessDenied", r.Terminating?.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Contains("AWS_ACCESS_KEY_ID_SECRET / AWS_SECRET_ACCESS_KEY_SECRET", r.Terminating!.Exception.Message);
                Assert.Contains("s3://locked/portal", r.Terminating.Exception.Message);
                Assert.Equal(ErrorCategory.PermissionDenied, r.Terminating.CategoryInfo.Category);
                Assert.Single(s3.Requests);    // 403 is not retried
                Assert.DoesNotContain(S3Server.SecretAccessKey, r.AllText());
                Assert.DoesNotContain(S3Server.SecretAccessKey, string.Join("\n", s3.Requests.Select(q => q.Path + q.Query + string.Join(" ", q.Headers.Values))));
            });
        }

        [Fact]
        public void A_zip_with_an_unsafe_entry_fails_naming_the_entry_and_publishes_nothing()
        {
            using var tmp = new TempDir();
            using (var zip = ZipFile.Open(tmp.Combine("training_docs.zip"), ZipArchiveMode.Create))
            {
                using (var w = new StreamWriter(zip.CreateEntry("index.html").Open())) w.Write("<html/>");
                using (var w = new StreamWriter(zip.CreateEntry("../../home/www/.ssh/authorized_keys").Open())) w.Write("ssh-ed25519 AAAA");
            }
            string bucket = S3Server.NewBucket();
            With(S3Variables(bucket), () =>
            {
                using var ps = new PowerShellSession(tmp.Path);
                PsResult r = ps.Invoke("Publish-TrainingMaterial training_docs.zip -Environment production");
                Assert.Equal("TrainingZipEntryUnsafe", r.Terminating?.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Contains("entry '../../home/www/.ssh/authorized_keys'", r.Terminating!.Exception.Message);
            });
            Assert.Empty(S3Server.List(bucket));
        }

        [Fact]
        public void WhatIf_lists_the_plan_and_changes_nothing_and_PassThru_writes_one_object_per_file()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), 2, 10);
            string bucket = S3Server.NewBucket();
            With(S3Variables(bucket), () =>
            {
                using var ps = new PowerShellSession(tmp.Path);
                PsResult published = ps.Invoke("Publish-TrainingMaterial site -Environment production -PassThru");
                Assert.Null(published.Terminating);
                var files = published.Output.Where(o => o.TypeNames[0] == typeof(TrainingFileResult).FullName).ToList();
                Assert.Equal(portal.Files(), files.Select(f => (string)f.Properties["Path"].Value).OrderBy(p => p, StringComparer.Ordinal));
                Assert.All(files, f => Assert.Equal(("Upload", "Done"), (f.Properties["Action"].Value.ToString(), (string)f.Properties["Status"].Value)));
                PSObject summary = published.Output.Last();
                Assert.Equal(typeof(TrainingPublishResult).FullName, summary.TypeNames[0]);
                Assert.Equal(portal.Files().Count(), (int)summary.Properties["FilesUploaded"].Value);
                Assert.Contains(published.Progress, p => Regex.IsMatch(p.StatusDescription, @"\d+/\d+ files, [\d.]+ MB of [\d.]+ MB"));

                portal.Write("guide/page-01.html", "<html>changed</html>");
                portal.Delete("guide/page-00.html");
                var before = S3Server.List(bucket);
                PsResult whatIf = ps.Invoke("Publish-TrainingMaterial site -Environment production -Delete -WhatIf");
                Assert.Null(whatIf.Terminating);
                Assert.Empty(whatIf.Output);
                var after = S3Server.List(bucket);
                Assert.Equal(before.Keys, after.Keys);
                Assert.Equal(before.Values.Select(o => o.ETag), after.Values.Select(o => o.ETag));
                Assert.Equal(before["portal/guide/page-01.html"].ETag, after["portal/guide/page-01.html"].ETag);
            });
        }

        [Fact]
        public void WhatIf_text_names_each_change_of_the_plan()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), 2, 10);
            string bucket = S3Server.NewBucket();
            var env = S3Variables(bucket);
            HostProcess.Result first = HostProcess.Run(tmp.Path, env, "-NoProfile", "-NonInteractive", "-c", "Publish-TrainingMaterial site -Environment production | Out-Null");
            Assert.True(first.ExitCode == 0, first.StdErr);
            portal.Write("guide/page-01.html", "<html>changed</html>");
            portal.Delete("guide/page-00.html");
            HostProcess.Result whatIf = HostProcess.Run(tmp.Path, env, "-NoProfile", "-NonInteractive", "-c", "Publish-TrainingMaterial site -Environment production -Delete -WhatIf");
            Assert.True(whatIf.ExitCode == 0, whatIf.StdErr);
            string text = whatIf.StdOut + whatIf.StdErr;
            Assert.Contains("upload changed guide/page-01.html", text);
            Assert.Contains("delete guide/page-00.html", text);
            Assert.Contains($"upload 1 file(s) (0.0 MB), delete 1, leave {portal.Files().Count() - 1} unchanged on s3://{bucket}/portal", text);
            Assert.DoesNotContain("page-02.html", text);
        }

        [Fact]
        public void Over_ssh_the_key_is_in_no_stream_and_in_no_command_line_and_a_wrong_host_key_names_the_setting()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), 3, 2_000_000);
            string dir = Path.Combine(TestServers.SshHome, "portal-" + Guid.NewGuid().ToString("N").Substring(0, 10));
            string key = File.ReadAllText(TestServers.SshKey);
            string keyBody = key.Split('\n')[1];
            var env = new Dictionary<string, string>
            {
                ["TRAINING_PORTAL_TARGET_TYPE"] = "WEBSERVER_SSH",
                ["TRAINING_PORTAL_SSH_HOST"] = TestServers.SshHost,
                ["TRAINING_PORTAL_SSH_PORT"] = TestServers.SshPort.ToString(),
                ["TRAINING_PORTAL_SSH_USER"] = TestServers.SshUser,
                ["TRAINING_PORTAL_SSH_KEY_SECRET"] = key,
                ["TRAINING_PORTAL_SSH_HOST_KEY"] = TestServers.Fingerprint,
                ["TRAINING_PORTAL_TARGET_DIR"] = dir,
            };
            try
            {
                With(env, () =>
                {
                    using var ps = new PowerShellSession(tmp.Path);
                    PsResult r = null!;
                    string commandLines = WatchingCommandLines(() => r = ps.Invoke("Publish-TrainingMaterial site -Environment production -PassThru -Debug"));
                    Assert.Null(r.Terminating);
                    PSObject summary = r.Output.Last();
                    string release = (string)summary.Properties["Release"].Value;
                    Assert.Equal(portal.Files().Count(), (int)summary.Properties["FilesUploaded"].Value);
                    Assert.Equal("releases/" + release, new FileInfo(Path.Combine(dir, "current")).LinkTarget);
                    Assert.Equal(portal.Read("index.html"), File.ReadAllBytes(Path.Combine(dir, "current", "index.html")));
                    Assert.DoesNotContain(keyBody, r.AllText());
                    Assert.DoesNotContain(keyBody, commandLines);
                    Assert.Contains("bash -s", commandLines);   // the sampler did see the target's commands
                    // nothing of the key on the target either
                    Assert.Equal(1, TestServers.Sh($"grep -rlF '{keyBody}' '{dir}'").code);

                    Environment.SetEnvironmentVariable("TRAINING_PORTAL_SSH_HOST_KEY", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
                    portal.Write("index.html", "<html>never served</html>");
                    PsResult mismatch = ps.Invoke("Publish-TrainingMaterial site -Environment production");
                    Assert.Equal("SshHostKeyRejected", mismatch.Terminating?.FullyQualifiedErrorId.Split(',')[0]);
                    Assert.Contains("TRAINING_PORTAL_SSH_HOST_KEY", mismatch.Terminating!.Exception.Message);
                    Assert.DoesNotContain(keyBody, mismatch.AllText());
                    Assert.Equal("releases/" + release, new FileInfo(Path.Combine(dir, "current")).LinkTarget);
                });
            }
            finally { TestServers.Sh($"rm -rf '{dir}'"); }
        }
    }
}
