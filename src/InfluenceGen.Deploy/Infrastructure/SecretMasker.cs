using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>
    /// The one masker every message of the module passes through (verbose, warning, progress,
    /// error messages, ledger entries, artifacts). Secrets are registered by value as soon as the
    /// module reads them (configuration resolver, SecureString/PSCredential parameters); well-known
    /// secret shapes (webhook URLs, bearer tokens, URL user-info, key=value passwords) are masked
    /// even when nobody registered them.
    /// </summary>
    public sealed class SecretMasker
    {
        public const string Mask = "***";

        /// <summary>The process-wide masker the cmdlets write through.</summary>
        public static SecretMasker Default { get; } = new SecretMasker();

        private readonly object _gate = new object();
        private string[] _secrets = Array.Empty<string>();

        // Interpreted, not RegexOptions.Compiled: every cmdlet call from a CI line is a fresh process that masks a few
        // dozen messages, and compiling the five (Reflection.Emit, then full JIT of three methods each) cost ~20-40 ms
        // of the first message there; the interpreter masks a message in microseconds.
        private static readonly Regex[] Shapes =
        {
            // Slack / Mattermost incoming webhooks: the path is the secret.
            new Regex(@"(https?://hooks\.slack\.com/)(services|workflows|triggers)/[A-Za-z0-9/_\-]+", RegexOptions.IgnoreCase),
            new Regex(@"(https?://[^\s/""']+/)hooks/[A-Za-z0-9]{10,}", RegexOptions.IgnoreCase),
            // user:password@host in URLs.
            new Regex(@"(?<=[a-z][a-z0-9+.\-]*://)[^\s/@:""']+:[^\s/@""']+(?=@)", RegexOptions.IgnoreCase),
            // Authorization headers and API-key headers.
            new Regex(@"(?<=\b(Bearer|Basic)\s)[A-Za-z0-9._~+/=\-]{8,}", RegexOptions.IgnoreCase),
            new Regex(@"(?<=\b(X-N8N-API-KEY|api[_-]?key|password|passwd|pgpassword|token|secret)\s*[=:]\s*[""']?)[^\s""',;]+", RegexOptions.IgnoreCase),
        };

        /// <summary>Registers a secret value; every later message containing it is masked.</summary>
        public void Add(string? secret)
        {
            if (string.IsNullOrEmpty(secret) || secret!.Length < 4) return; // too short to mask safely
            lock (_gate)
            {
                if (_secrets.Contains(secret)) return;
                // Longest first so a secret that contains another is masked whole.
                _secrets = _secrets.Concat(new[] { secret }).OrderByDescending(s => s.Length).ToArray();
            }
        }

        public IReadOnlyCollection<string> RegisteredCount => _secrets;

        public string? Apply(string? text)
        {
            if (string.IsNullOrEmpty(text)) return text;
            string result = text!;
            foreach (string secret in _secrets)
            {
                if (result.IndexOf(secret, StringComparison.Ordinal) >= 0)
                    result = result.Replace(secret, Mask);
                // Also the URL-encoded form (a token inside a query string).
                string encoded = Uri.EscapeDataString(secret);
                if (encoded != secret && result.IndexOf(encoded, StringComparison.Ordinal) >= 0)
                    result = result.Replace(encoded, Mask);
            }
            foreach (Regex shape in Shapes)
            {
                result = shape.Replace(result, m => m.Groups.Count > 1 && m.Groups[1].Success && m.Value.StartsWith(m.Groups[1].Value, StringComparison.Ordinal)
                    ? m.Groups[1].Value + Mask
                    : Mask);
            }
            return result;
        }

        /// <summary>Masks an exception's message, keeping its type name, for ErrorRecords.</summary>
        public Exception Apply(Exception exception)
        {
            string original = exception.Message;
            string masked = Apply(original) ?? string.Empty;
            if (masked == original && (exception.InnerException == null)) return exception;
            return new MaskedException(masked, exception.GetType().FullName ?? "Exception");
        }
    }

    /// <summary>An exception whose message was masked; the original (with the secret) is dropped.</summary>
    public sealed class MaskedException : Exception
    {
        public MaskedException(string message, string originalType) : base(message) { OriginalType = originalType; }
        public string OriginalType { get; }
    }
}
