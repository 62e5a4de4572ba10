using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace InfluenceGen.Deploy.Infrastructure.Ssh
{
    /// <summary>
    /// A target whose command output can be read as it arrives (a database dump streamed to another target
    /// through this process in chunks, never landing on this machine's disk).
    /// </summary>
    public interface IStreamingTransport
    {
        /// <summary>
        /// Runs <paramref name="command"/> with <paramref name="stdin"/> as its whole input, hands its standard output
        /// to <paramref name="consume"/> as a stream while it runs, and returns its exit code and standard error
        /// (standard output is not kept: the result's Stdout is empty).
        /// </summary>
        Task<CommandResult> RunStreamingAsync(string command, string? stdin, Func<Stream, Task> consume, CancellationToken cancellationToken);
    }

    /// <summary>A read-only pass-through stream that counts and hashes (SHA-256) what is read through it.</summary>
    public sealed class HashingReadStream : Stream
    {
        private readonly Stream _inner;
        private readonly System.Security.Cryptography.IncrementalHash _sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        private readonly IProgress<long>? _progress;
        private long _read;

        public HashingReadStream(Stream inner, IProgress<long>? progress = null) { _inner = inner; _progress = progress; }

        public long BytesRead => _read;
        /// <summary>Hex SHA-256 of everything read (call once, at the end).</summary>
        public string Sha256Hex() => Hashing.Hex(_sha.GetHashAndReset());

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = _inner.Read(buffer, offset, count);
            if (n > 0) { _sha.AppendData(buffer, offset, n); _read += n; _progress?.Report(_read); }
            return n;
        }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            int n = await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            if (n > 0) { _sha.AppendData(buffer, offset, n); _read += n; _progress?.Report(_read); }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { if (disposing) _sha.Dispose(); base.Dispose(disposing); }
    }
}
