using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace InfluenceGen.Deploy.Tests.Harness
{
    /// <summary>One request the fake server received.</summary>
    public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out string? v) ? v : null;
        public string? QueryValue(string name)
        {
            foreach (string part in Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = part.IndexOf('=');
                string k = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
                if (k == name) return eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..]);
            }
            return null;
        }
    }

    /// <summary>What the fake server answers.</summary>
    public sealed class FakeResponse
    {
        public int Status { get; init; } = 200;
        public string Body { get; init; } = "";
        public string ContentType { get; init; } = "application/json;charset=UTF-8";
        public Dictionary<string, string> Headers { get; init; } = new();
        /// <summary>Wait this long before answering (timeouts).</summary>
        public TimeSpan Delay { get; init; }

        public static FakeResponse Json(int status, string body) => new() { Status = status, Body = body };
        public static FakeResponse Text(int status, string body) => new() { Status = status, Body = body, ContentType = "text/plain; charset=utf-8" };
    }

    /// <summary>
    /// A tiny HTTP/1.1 server on 127.0.0.1 (System.Net.HttpListener, managed implementation on
    /// Linux) standing in for JIRA and Slack/Mattermost, which cannot run here. Every request is
    /// recorded; the handler decides the answer.
    /// </summary>
    public sealed class FakeHttpServer : IDisposable
    {
        private readonly HttpListener _listener;
        private readonly Func<RecordedRequest, FakeResponse> _handler;
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<RecordedRequest> _requests = new();

        public FakeHttpServer(Func<RecordedRequest, FakeResponse> handler)
        {
            _handler = handler;
            for (int attempt = 0; ; attempt++)
            {
                int port = FreePort();
                var listener = new HttpListener();
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                try
                {
                    listener.Start();
                    _listener = listener;
                    BaseUrl = new Uri($"http://127.0.0.1:{port}/");
                    break;
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                    listener.Close();
                }
            }
            _ = Task.Run(AcceptLoop);
        }

        public Uri BaseUrl { get; }
        public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

        private static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception) { return; }
                _ = Task.Run(() => Handle(context));
            }
        }

        private async Task Handle(HttpListenerContext context)
        {
            try
            {
                string body;
                using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync();
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (string? key in context.Request.Headers.AllKeys)
                    if (key != null) headers[key] = context.Request.Headers[key] ?? "";
                var request = new RecordedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Url.Query, headers, body, DateTimeOffset.UtcNow);
                _requests.Enqueue(request);
                FakeResponse response;
                try { response = _handler(request); }
                catch (Exception ex) { response = FakeResponse.Text(599, "fake server handler failed: " + ex.Message); }
                if (response.Delay > TimeSpan.Zero)
                {
                    try { await Task.Delay(response.Delay, _stop.Token); } catch (OperationCanceledException) { }
                }
                context.Response.StatusCode = response.Status;
                foreach (var h in response.Headers) context.Response.Headers[h.Key] = h.Value;
                if (response.Status != 204 && response.Body.Length > 0)
                {
                    context.Response.ContentType = response.ContentType;
                    byte[] bytes = Encoding.UTF8.GetBytes(response.Body);
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                }
                context.Response.Close();
            }
            catch (Exception)
            {
                try { context.Response.Abort(); } catch (Exception) { }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            try { _listener.Stop(); _listener.Close(); } catch (Exception) { }
        }
    }
}
