using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Security;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Images
{
    /// <summary>
    /// Where the Docker engine is and how to talk to it, read from the variables exactly as the docker
    /// CLI (and GitLab's docker:cli image entrypoint) reads them:
    /// <list type="bullet">
    /// <item><c>DOCKER_HOST</c> (unix:///var/run/docker.sock by default; tcp://docker:2376 when
    /// <c>DOCKER_TLS_CERTDIR</c> holds client certificates, as the docker:dind service is reached);</item>
    /// <item>TLS when <c>DOCKER_TLS_VERIFY</c> (or <c>DOCKER_TLS</c>) is non-empty, or when
    /// <c>DOCKER_TLS_CERTDIR</c>/client has certificates; the certificates (ca.pem, cert.pem, key.pem) from
    /// <c>DOCKER_CERT_PATH</c>, else <c>DOCKER_TLS_CERTDIR</c>/client, else ~/.docker;</item>
    /// <item>with verification, the engine's certificate must chain to ca.pem and name the host.</item>
    /// </list>
    /// </summary>
    public sealed class DockerEndpoint
    {
        public DockerEndpoint(Uri host, bool tls, bool verify, string? certPath)
        {
            Host = host; Tls = tls; Verify = verify; CertPath = certPath;
        }

        public Uri Host { get; }
        public bool Tls { get; }
        public bool Verify { get; }
        public string? CertPath { get; }

        public override string ToString() => Host + (Tls ? (Verify ? " (TLS, verified)" : " (TLS)") : string.Empty);

        public static DockerEndpoint Resolve(Func<string, string?> variable, string? explicitHost = null)
        {
            string? certDir = NonEmpty(variable("DOCKER_TLS_CERTDIR"));
            string? dindClient = certDir == null ? null : Path.Combine(certDir, "client");
            bool dindCerts = dindClient != null && File.Exists(Path.Combine(dindClient, "ca.pem"));
            string? certPath = NonEmpty(variable("DOCKER_CERT_PATH")) ?? (dindCerts ? dindClient : null);
            bool verify = NonEmpty(variable("DOCKER_TLS_VERIFY")) != null || (dindCerts && NonEmpty(variable("DOCKER_CERT_PATH")) == null && NonEmpty(variable("DOCKER_TLS")) == null);
            bool tls = verify || NonEmpty(variable("DOCKER_TLS")) != null;
            if (tls && certPath == null)
            {
                string? home = NonEmpty(variable("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
                certPath = Path.Combine(home ?? ".", ".docker");
            }

            string host = NonEmpty(explicitHost) ?? NonEmpty(variable("DOCKER_HOST")) ?? (dindCerts ? "tcp://docker:2376" : "unix:///var/run/docker.sock");
            if (!Uri.TryCreate(host, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "unix" && uri.Scheme != "tcp" && uri.Scheme != "npipe" && uri.Scheme != "http" && uri.Scheme != "https"))
                throw new DeployException(ErrorIds.InvalidDockerHost, ErrorKind.InvalidArgument,
                    $"DOCKER_HOST '{host}' is not a unix://, tcp:// or npipe:// address", "DOCKER_HOST");
            return new DockerEndpoint(uri, tls, verify, tls ? certPath : null);
        }

        private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

        public DockerClient CreateClient()
        {
            var builder = new DockerClientBuilder().WithEndpoint(Host).WithTimeout(System.Threading.Timeout.InfiniteTimeSpan);
            if (Tls) builder = builder.WithAuthProvider(new TlsAuthProvider(this));
            return builder.Build();
        }

        /// <summary>Client certificate and server validation for a TLS engine, on either of Docker.DotNet's handlers.</summary>
        private sealed class TlsAuthProvider : IAuthProvider
        {
            private readonly X509Certificate2? _client;
            private readonly X509Certificate2? _ca;
            private readonly bool _verify;

            public TlsAuthProvider(DockerEndpoint endpoint)
            {
                _verify = endpoint.Verify;
                string dir = endpoint.CertPath!;
                string cert = Path.Combine(dir, "cert.pem"), key = Path.Combine(dir, "key.pem"), ca = Path.Combine(dir, "ca.pem");
                if (File.Exists(cert) && File.Exists(key)) _client = LoadPem(cert, key);
                if (_verify)
                {
                    if (!File.Exists(ca))
                        throw new DeployException(ErrorIds.DockerTlsCertificateMissing, ErrorKind.ObjectNotFound,
                            $"DOCKER_TLS_VERIFY is set but {ca} does not exist (set DOCKER_CERT_PATH to the folder of ca.pem, cert.pem and key.pem)", ca);
                    _ca = new X509Certificate2(ca);
                }
            }

            public bool TlsEnabled => true;

            public HttpMessageHandler ConfigureHandler(HttpMessageHandler handler)
            {
                if (handler is Microsoft.Net.Http.Client.ManagedHandler managed)
                {
                    if (_client != null) managed.ClientCertificates = new X509CertificateCollection { _client };
                    managed.ServerCertificateValidationCallback = Validate;
                }
                else if (handler is HttpClientHandler client)
                {
                    if (_client != null) client.ClientCertificates.Add(_client);
                    client.ServerCertificateCustomValidationCallback = (_, c, chain, errors) => Validate(this, c, chain, errors);
                }
                return handler;
            }

            private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
            {
                if (!_verify) return true;
                if (certificate == null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
                if (errors == SslPolicyErrors.None) return true;
                using var own = new X509Chain();
                own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                own.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
                own.ChainPolicy.ExtraStore.Add(_ca!);
                if (!own.Build(new X509Certificate2(certificate))) return false;
                X509ChainElement root = own.ChainElements[own.ChainElements.Count - 1];
                return root.Certificate.Thumbprint == _ca!.Thumbprint;
            }

            private static X509Certificate2 LoadPem(string cert, string key)
            {
                MethodInfo? create = typeof(X509Certificate2).GetMethod("CreateFromPemFile", new[] { typeof(string), typeof(string) });
                if (create == null)
                    throw new DeployException(ErrorIds.DockerTlsUnsupported, ErrorKind.NotImplemented,
                        "TLS client certificates for the Docker engine need PowerShell 7 (.NET 5 or later)", cert);
                try
                {
                    return (X509Certificate2)create.Invoke(null, new object[] { cert, key })!;
                }
                catch (TargetInvocationException ex)
                {
                    throw new DeployException(ErrorIds.DockerTlsCertificateInvalid, ErrorKind.InvalidData,
                        $"cannot read the Docker client certificate {cert} / {key}: {ex.InnerException?.Message}", cert);
                }
            }
        }
    }
}
