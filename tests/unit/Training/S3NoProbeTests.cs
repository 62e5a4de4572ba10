using System.Net;
using System.Net.Sockets;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Training
{
    /// <summary>
    /// With keys given, Publish-TrainingMaterial asks nothing but the S3 endpoint: no EC2 instance metadata
    /// (IMDS) probe, which on a runner outside EC2 costs timeouts. The instance metadata endpoint
    /// (AWS_EC2_METADATA_SERVICE_ENDPOINT) points at a listener that counts connections, in fresh pwsh
    /// processes as the job line runs; the control (the SDK's own credential chain, no keys, same
    /// environment) proves the listener sees a probe when one happens.
    /// </summary>
    public sealed class S3NoProbeTests
    {
        [Fact]
        public void With_keys_given_no_instance_metadata_endpoint_is_asked()
        {
            var imds = new TcpListener(IPAddress.Loopback, 0);
            imds.Start();
            int connections = 0;
            using var stop = new CancellationTokenSource();
            Task accepting = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try { using TcpClient c = await imds.AcceptTcpClientAsync(stop.Token); Interlocked.Increment(ref connections); }
                    catch (Exception) { break; }
                }
            });
            using var tmp = new TempDir();
            try
            {
                var portal = new Portal(tmp.Combine("site"), 2, 10);
                string bucket = S3Server.NewBucket();
                var env = new Dictionary<string, string>
                {
                    ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = $"http://127.0.0.1:{((IPEndPoint)imds.LocalEndpoint).Port}",
                    ["AWS_EC2_METADATA_DISABLED"] = "", ["AWS_ACCESS_KEY_ID"] = "", ["AWS_SECRET_ACCESS_KEY"] = "", ["AWS_SESSION_TOKEN"] = "", ["AWS_PROFILE"] = "",
                    ["AWS_CONFIG_FILE"] = tmp.Combine("no-config"), ["AWS_SHARED_CREDENTIALS_FILE"] = tmp.Combine("no-credentials"),
                    ["TRAINING_PORTAL_TARGET_TYPE"] = "S3", ["TRAINING_S3_BUCKET_URL"] = $"s3://{bucket}/portal",
                    ["AWS_ACCESS_KEY_ID_SECRET"] = S3Server.AccessKeyId, ["AWS_SECRET_ACCESS_KEY_SECRET"] = S3Server.SecretAccessKey,
                    ["AWS_REGION"] = S3Server.Region, ["AWS_ENDPOINT_URL_S3"] = S3Server.Endpoint,
                };
                foreach (int expected in new[] { portal.Files().Count(), 0 })   // a first publish, then one that changes nothing
                {
                    HostProcess.Result r = HostProcess.Run(tmp.Path, env, "-NoProfile", "-NonInteractive", "-c", "(Publish-TrainingMaterial site -Environment production).FilesUploaded");
                    Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
                    Assert.Equal(expected.ToString(), r.StdOut.Trim());
                }
                Assert.Equal(0, Volatile.Read(ref connections));

                // control: the same environment, the SDK's default credential chain (no keys) goes looking
                string bin = Path.Combine(Repo.ModuleFolder, "bin");
                HostProcess.Result control = HostProcess.Run(tmp.Path, env, "-NoProfile", "-NonInteractive", "-c",
                    $"Add-Type -Path '{bin}/AWSSDK.Core.dll','{bin}/AWSSDK.S3.dll'; " +
                    "$c = [Amazon.S3.AmazonS3Config]::new(); $c.ServiceURL = $env:AWS_ENDPOINT_URL_S3; $c.ForcePathStyle = $true; $c.AuthenticationRegion = $env:AWS_REGION; $c.MaxErrorRetry = 0; " +
                    $"try {{ [Amazon.S3.AmazonS3Client]::new($c).ListObjectsV2Async([Amazon.S3.Model.ListObjectsV2Request]@{{ BucketName = '{bucket}' }}).GetAwaiter().GetResult() | Out-Null; 'listed' }} catch {{ 'failed' }}");
                Assert.Equal("failed", control.StdOut.Trim());
                Assert.True(Volatile.Read(ref connections) > 0, "the control did not reach the instance metadata listener: " + control.StdErr);
            }
            finally
            {
                stop.Cancel();
                imds.Stop();
                accepting.Wait();
            }
        }
    }
}
