using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Tests.Deploy;
using InfluenceGen.Deploy.Training;

namespace InfluenceGen.Deploy.Tests.Training
{
    /// <summary>The real S3-compatible server of tests/setup/25-fauxqs.sh, and a client to read objects back.</summary>
    public static class S3Server
    {
        public static string Endpoint => TestServers.Need("S3_TEST_ENDPOINT");
        public static string Region => TestServers.Need("S3_TEST_REGION");
        public static string AccessKeyId => TestServers.Need("S3_TEST_ACCESS_KEY_ID");
        public static string SecretAccessKey => TestServers.Need("S3_TEST_SECRET_ACCESS_KEY");

        public static AmazonS3Client Client(string? endpoint = null) => new AmazonS3Client(new BasicAWSCredentials(AccessKeyId, SecretAccessKey),
            new AmazonS3Config { ServiceURL = endpoint ?? Endpoint, ForcePathStyle = true, AuthenticationRegion = Region });

        /// <summary>A fresh bucket for one test.</summary>
        public static string NewBucket()
        {
            string bucket = "igt-" + Guid.NewGuid().ToString("N").Substring(0, 12);
            using var c = Client();
            c.PutBucketAsync(bucket).GetAwaiter().GetResult();
            return bucket;
        }

        public static S3PortalSettings Settings(string bucket, string prefix, string? endpoint = null) => new S3PortalSettings
        {
            Bucket = bucket, Prefix = prefix, AccessKeyId = AccessKeyId, SecretAccessKey = SecretAccessKey,
            Region = Region, Endpoint = new Uri(endpoint ?? Endpoint), ForcePathStyle = true, CredentialSource = "test",
        };

        public static Dictionary<string, S3Object> List(string bucket, string prefix = "")
        {
            using var c = Client();
            var all = new Dictionary<string, S3Object>();
            string? token = null;
            do
            {
                ListObjectsV2Response r = c.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, ContinuationToken = token }).GetAwaiter().GetResult();
                foreach (S3Object o in r.S3Objects ?? new List<S3Object>()) all[o.Key] = o;
                token = r.IsTruncated == true ? r.NextContinuationToken : null;
            } while (token != null);
            return all;
        }

        public static (byte[] Bytes, string ContentType, IDictionary<string, string> Metadata) Get(string bucket, string key)
        {
            using var c = Client();
            using GetObjectResponse r = c.GetObjectAsync(bucket, key).GetAwaiter().GetResult();
            using var ms = new MemoryStream();
            r.ResponseStream.CopyTo(ms);
            var meta = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string k in r.Metadata.Keys) meta[k.Replace("x-amz-meta-", "")] = r.Metadata[k];
            return (ms.ToArray(), r.Headers.ContentType, meta);
        }

        public static void Put(string bucket, string key, string content)
        {
            using var c = Client();
            c.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = content }).GetAwaiter().GetResult();
        }
    }

    /// <summary>A generated portal on disk: pages, hashed assets, a PDF-sized and a video-sized file.</summary>
    public sealed class Portal
    {
        public Portal(string root, int pages = 6, int bigBytes = 9 * 1024 * 1024)
        {
            Root = root;
            var rnd = new Random(42);
            Write("index.html", "<html><link href=\"assets/app.1a2b3c4d5e.css\"><a href=\"guide/index.html\">guide</a></html>");
            Write("assets/app.1a2b3c4d5e.css", "body { color: #333 }");
            Write("assets/app.9f8e7d6c5b.js", "console.log('portal')");
            Write("assets/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
            Write("assets/fonts/inter.woff2", Bytes(rnd, 3000));
            Write("media/intro.webp", Bytes(rnd, 5000));
            Write("guide/index.html", "<html>guide index</html>");
            for (int i = 0; i < pages; i++) Write($"guide/page-{i:00}.html", $"<html>page {i}</html>");
            Write("docs/handbook.pdf", Bytes(rnd, 300_000));
            Write("media/onboarding.mp4", Bytes(rnd, bigBytes));   // over 8 MiB: a multipart upload
        }

        private Portal(string root) { Root = root; }

        /// <summary>A copy of another portal's files (a snapshot to compare with later).</summary>
        public static Portal CopyOf(Portal other, string root)
        {
            InfluenceGen.Deploy.Tests.Harness.AddonTree.CopyDirectory(other.Root, root);
            return new Portal(root);
        }

        public string Root { get; }

        public void Write(string relative, string content) => Write(relative, new UTF8Encoding(false).GetBytes(content));

        public void Write(string relative, byte[] content)
        {
            string full = Path.Combine(Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, content);
        }

        public void Delete(string relative) => File.Delete(Path.Combine(Root, relative));
        public byte[] Read(string relative) => File.ReadAllBytes(Path.Combine(Root, relative));
        public IEnumerable<string> Files() => Directory.GetFiles(Root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/')).OrderBy(f => f, StringComparer.Ordinal);

        public static byte[] Bytes(Random rnd, int length) { var b = new byte[length]; rnd.NextBytes(b); return b; }

        public string Zip(string zipPath)
        {
            if (File.Exists(zipPath)) File.Delete(zipPath);
            ZipFile.CreateFromDirectory(Root, zipPath);
            return zipPath;
        }
    }

    /// <summary>A log that keeps every message (secret scans, order checks).</summary>

    /// <summary>
    /// A TCP relay on 127.0.0.1 in front of a real server. It records the HTTP request lines that
    /// pass (the order the client sent them in) and, once <see cref="CutAfterBytes"/> bytes went to the
    /// server, kills every connection and refuses new ones: a connection dropped mid-upload.
    /// </summary>
    public sealed class CutProxy : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly int _targetPort;
        private readonly List<TcpClient> _open = new();
        private readonly List<string> _requests = new();
        private readonly List<string> _heads = new();
        private long _forwarded;
        private volatile bool _cut;

        public CutProxy(int targetPort, long cutAfterBytes = long.MaxValue)
        {
            _targetPort = targetPort;
            CutAfterBytes = cutAfterBytes;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = Task.Run(AcceptLoop);
        }

        public int Port { get; }
        public long CutAfterBytes { get; }
        public bool WasCut => _cut;
        public long Forwarded => Interlocked.Read(ref _forwarded);
        public IReadOnlyList<string> Requests { get { lock (_requests) return _requests.ToList(); } }
        /// <summary>Each request line with its headers, lower-cased header names as sent.</summary>
        public IReadOnlyList<string> Heads { get { lock (_requests) return _heads.ToList(); } }

        private async Task AcceptLoop()
        {
            while (true)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(); }
                catch (Exception) { return; }
                if (_cut) { client.Close(); continue; }
                var server = new TcpClient();
                try { await server.ConnectAsync(IPAddress.Loopback, _targetPort); }
                catch (Exception) { client.Close(); continue; }
                lock (_open) { _open.Add(client); _open.Add(server); }
                _ = Pump(client.GetStream(), server.GetStream(), upstream: true);
                _ = Pump(server.GetStream(), client.GetStream(), upstream: false);
            }
        }

        private static readonly Regex RequestLine = new(@"(GET|PUT|POST|DELETE|HEAD) (/[^ \r\n]*) HTTP/1\.1\r\n", RegexOptions.Compiled);

        private async Task Pump(NetworkStream from, NetworkStream to, bool upstream)
        {
            byte[] buffer = new byte[1 << 16];
            try
            {
                int n;
                while ((n = await from.ReadAsync(buffer)) > 0)
                {
                    if (upstream)
                    {
                        long total = Interlocked.Add(ref _forwarded, n);
                        string text = Encoding.Latin1.GetString(buffer, 0, n);
                        foreach (Match m in RequestLine.Matches(text))
                        {
                            int end = text.IndexOf("\r\n\r\n", m.Index, StringComparison.Ordinal);
                            lock (_requests)
                            {
                                _requests.Add(m.Groups[1].Value + " " + Uri.UnescapeDataString(m.Groups[2].Value));
                                _heads.Add(end < 0 ? text.Substring(m.Index) : text.Substring(m.Index, end - m.Index));
                            }
                        }
                        if (total > CutAfterBytes) { Cut(); return; }
                    }
                    await to.WriteAsync(buffer.AsMemory(0, n));
                }
            }
            catch (Exception) { }
            if (!upstream) return;
            try { to.Socket.Shutdown(SocketShutdown.Send); } catch (Exception) { }
        }

        public void Cut()
        {
            _cut = true;
            lock (_open)
            {
                foreach (TcpClient c in _open) { try { c.Client.LingerState = new LingerOption(true, 0); c.Close(); } catch (Exception) { } }
                _open.Clear();
            }
        }

        public void Dispose()
        {
            Cut();
            _listener.Stop();
        }
    }

    public static class FastRetry
    {
        /// <summary>The module's retry policy with short waits, so a cut connection fails a test quickly.</summary>
        public static InfluenceGen.Deploy.Infrastructure.RetryPolicy Policy => new InfluenceGen.Deploy.Infrastructure.RetryPolicy(maxAttempts: 2, baseDelay: TimeSpan.FromMilliseconds(20), maxDelay: TimeSpan.FromMilliseconds(50), maxTotal: TimeSpan.FromSeconds(5));
    }
}
