using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using InfluenceGen.Deploy.Infrastructure;
using RetryPolicy = InfluenceGen.Deploy.Infrastructure.RetryPolicy;

namespace InfluenceGen.Deploy.Training
{
    /// <summary>
    /// The portal in an S3 bucket under a prefix, through AWSSDK.S3. Unchanged = same size and same
    /// ETag as computed locally for <see cref="S3Layout"/>'s part size (one paginated listing, no
    /// request per object); an ETag that cannot compare (SSE-KMS, another tool's part size) falls back
    /// to the SHA-256 every upload keeps in its metadata (x-amz-meta-sha256). Files of
    /// <see cref="S3Layout.MultipartThreshold"/> and more go multipart. Every request goes through the
    /// module's one <see cref="RetryPolicy"/> (the SDK's own retries are off).
    /// </summary>
    public sealed class S3PortalTarget : IPortalTarget
    {
        public const string ShaMetadata = "sha256";
        private readonly S3PortalSettings _settings;
        private readonly Lazy<AmazonS3Client> _client;
        private readonly RetryPolicy _retry;

        public S3PortalTarget(S3PortalSettings settings, RetryPolicy? retry = null)
        {
            _settings = settings;
            _retry = retry ?? RetryPolicy.Default;
            // Built on first use: the SDK's first client in a process costs tens of milliseconds, which the publisher
            // spends on the worker thread that reads the target, beside the source's walk on this one.
            _client = new Lazy<AmazonS3Client>(CreateClient, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        private AmazonS3Client CreateClient()
        {
            var config = new AmazonS3Config
            {
                ForcePathStyle = _settings.ForcePathStyle,
                MaxErrorRetry = 0,
                Timeout = TimeSpan.FromMinutes(5),
            };
            // AWSSDK v4 adds a CRC32 trailer to every upload by default (aws-chunked, each chunk signed over
            // HTTP): ~40% of a first publish's CPU here. Integrity is checked end to end instead: the ETag S3
            // answers must be the MD5 (or md5-of-part-md5s-N) of the bytes hashed here (VerifyETag).
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            if (_settings.Endpoint != null)
            {
                config.ServiceURL = _settings.Endpoint.ToString();
                config.AuthenticationRegion = _settings.Region;
            }
            else config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(_settings.Region);
            AWSCredentials credentials = string.IsNullOrEmpty(_settings.SessionToken)
                ? new BasicAWSCredentials(_settings.AccessKeyId, _settings.SecretAccessKey)
                : new SessionAWSCredentials(_settings.AccessKeyId, _settings.SecretAccessKey, _settings.SessionToken);
            return new AmazonS3Client(credentials, config);
        }

        public string Kind => "S3";
        public string Description => _settings.Url;
        private string KeyPrefix => _settings.Prefix.Length == 0 ? string.Empty : _settings.Prefix + "/";
        public string TargetOf(string relativePath) => KeyPrefix + relativePath;

        public async Task<RemoteState> ReadAsync(IDeployLog log, CancellationToken cancellationToken)
        {
            var files = new Dictionary<string, RemoteFile>(StringComparer.Ordinal);
            string? token = null;
            do
            {
                string? page = token;
                ListObjectsV2Response response = await Call("list " + Description, ct => _client.Value.ListObjectsV2Async(new ListObjectsV2Request
                {
                    BucketName = _settings.Bucket,
                    Prefix = KeyPrefix,
                    ContinuationToken = page,
                }, ct), log, cancellationToken).ConfigureAwait(false);
                foreach (S3Object o in response.S3Objects ?? new List<S3Object>())
                {
                    if (!o.Key.StartsWith(KeyPrefix, StringComparison.Ordinal) || o.Key.EndsWith("/", StringComparison.Ordinal)) continue;
                    string path = o.Key.Substring(KeyPrefix.Length);
                    files[path] = new RemoteFile(path, o.Size ?? 0, o.ETag?.Trim('"'));
                }
                token = response.IsTruncated == true ? response.NextContinuationToken : null;
            } while (token != null);
            return new RemoteState(files);
        }

        /// <summary>No record: a listing is one request per 1,000 objects, and it is the state.</summary>
        public RemoteState? Recorded(IDeployLog log, CancellationToken cancellationToken) => null;

        public Task VerifyAsync(RemoteState state, IDeployLog log, CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task<bool> SameContentAsync(TrainingFile file, RemoteFile remote, IDeployLog log, CancellationToken cancellationToken)
        {
            if (remote.Size != file.Length) return false;
            if (string.Equals(remote.ETag, file.ETag, StringComparison.OrdinalIgnoreCase)) return true;
            // A plain MD5 ETag (single-part upload, no KMS) of another value: the bytes differ. A multipart
            // ETag depends on the part size the uploader chose: ask the object's kept hash.
            if (Comparable(remote.ETag)) return false;
            GetObjectMetadataResponse head = await Call("read " + TargetOf(file.RelativePath), ct => _client.Value.GetObjectMetadataAsync(_settings.Bucket, TargetOf(file.RelativePath), ct), log, cancellationToken).ConfigureAwait(false);
            string? sha = head.Metadata[ShaMetadata];
            return string.Equals(sha, file.Sha256, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The object S3 stored must hold the bytes hashed here: its ETag is their MD5 (single part) or
        /// md5-of-part-md5s-N for <see cref="S3Layout.PartSize"/> parts, except under SSE-KMS (then unknown).</summary>
        private void VerifyETag(TrainingFile file, string key, string? etag)
        {
            if (_settings.ServerSideEncryption == "aws:kms" || _settings.ServerSideEncryption == "aws:kms:dsse" || string.IsNullOrEmpty(etag)) return;
            if (!string.Equals(etag!.Trim('"'), file.ETag, StringComparison.OrdinalIgnoreCase))
                throw new DeployException(ErrorIds.TrainingS3UploadMismatch, ErrorKind.InvalidData,
                    $"{Description}: the object '{key}' S3 stored has ETag {etag.Trim('"')}, not {file.ETag} of the bytes hashed for '{file.RelativePath}' (changed while publishing, or a stale hash cache with the same size and time); later phases were not published",
                    file.RelativePath);
        }

        /// <summary>Is <paramref name="etag"/> the MD5 of the object's bytes (single-part, not KMS-encrypted)?</summary>
        private bool Comparable(string? etag) =>
            etag != null && etag.Length == 32 && etag.IndexOf('-') < 0 && _settings.ServerSideEncryption != "aws:kms" && _settings.ServerSideEncryption != "aws:kms:dsse";

        public Task BeginAsync(TrainingPlan plan, IDeployLog log, CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task UploadAsync(TrainingFileResult item, IProgress<long> bytesSent, IDeployLog log, CancellationToken cancellationToken)
        {
            TrainingFile file = item.Source ?? throw new InvalidOperationException("no source for " + item.Path);
            string key = TargetOf(file.RelativePath);
            if (file.Length < S3Layout.MultipartThreshold)
            {
                byte[] body = ReadAll(file);
                PutObjectResponse put = await Call("upload " + key, async ct =>
                {
                    var request = new PutObjectRequest
                    {
                        BucketName = _settings.Bucket, Key = key, InputStream = new MemoryStream(body, false), AutoCloseStream = true,
                        ContentType = item.ContentType,
                    };
                    request.Headers.CacheControl = item.CacheControl;
                    request.Metadata.Add(ShaMetadata, file.Sha256);
                    if (_settings.Acl != null) request.CannedACL = S3CannedACL.FindValue(_settings.Acl);
                    if (_settings.ServerSideEncryption != null) request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.FindValue(_settings.ServerSideEncryption);
                    if (_settings.KmsKeyId != null) request.ServerSideEncryptionKeyManagementServiceKeyId = _settings.KmsKeyId;
                    return await _client.Value.PutObjectAsync(request, ct).ConfigureAwait(false);
                }, log, cancellationToken).ConfigureAwait(false);
                VerifyETag(file, key, put.ETag);
                bytesSent.Report(file.Length);
                return;
            }
            await UploadMultipartAsync(file, item, key, bytesSent, log, cancellationToken).ConfigureAwait(false);
        }

        private async Task UploadMultipartAsync(TrainingFile file, TrainingFileResult item, string key, IProgress<long> bytesSent, IDeployLog log, CancellationToken cancellationToken)
        {
            InitiateMultipartUploadResponse started = await Call("start upload of " + key, ct =>
            {
                var request = new InitiateMultipartUploadRequest { BucketName = _settings.Bucket, Key = key, ContentType = item.ContentType };
                request.Headers.CacheControl = item.CacheControl;
                request.Metadata.Add(ShaMetadata, file.Sha256);
                if (_settings.Acl != null) request.CannedACL = S3CannedACL.FindValue(_settings.Acl);
                if (_settings.ServerSideEncryption != null) request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.FindValue(_settings.ServerSideEncryption);
                if (_settings.KmsKeyId != null) request.ServerSideEncryptionKeyManagementServiceKeyId = _settings.KmsKeyId;
                return _client.Value.InitiateMultipartUploadAsync(request, ct);
            }, log, cancellationToken).ConfigureAwait(false);
            string uploadId = started.UploadId;
            var parts = new List<PartETag>();
            try
            {
                using Stream source = file.Open();
                byte[] buffer = new byte[S3Layout.PartSize];
                for (int number = 1; ; number++)
                {
                    int length = ReadBlock(source, buffer);
                    if (length == 0) break;
                    int partNumber = number;
                    UploadPartResponse part = await Call($"upload part {partNumber} of {key}", ct => _client.Value.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = _settings.Bucket, Key = key, UploadId = uploadId, PartNumber = partNumber,
                        InputStream = new MemoryStream(buffer, 0, length, false), PartSize = length,
                    }, ct), log, cancellationToken).ConfigureAwait(false);
                    parts.Add(new PartETag(partNumber, part.ETag));
                    bytesSent.Report(length);
                    if (length < buffer.Length) break;
                }
                CompleteMultipartUploadResponse done = await Call("complete upload of " + key, ct => _client.Value.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = _settings.Bucket, Key = key, UploadId = uploadId, PartETags = parts,
                }, ct), log, cancellationToken).ConfigureAwait(false);
                VerifyETag(file, key, done.ETag);
            }
            catch
            {
                try { await _client.Value.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _settings.Bucket, Key = key, UploadId = uploadId }, CancellationToken.None).ConfigureAwait(false); }
                catch (Exception) { /* best effort: a bucket lifecycle rule removes abandoned uploads */ }
                throw;
            }
        }

        public async Task DeleteAsync(IReadOnlyList<TrainingFileResult> items, IDeployLog log, CancellationToken cancellationToken)
        {
            foreach (TrainingFileResult item in items)
                if (!item.Target.StartsWith(KeyPrefix, StringComparison.Ordinal) || item.Target.Length == KeyPrefix.Length)
                    throw new DeployException(ErrorIds.TrainingDeleteOutsidePrefix, ErrorKind.SecurityError, $"refusing to delete '{item.Target}': outside {Description}", item.Target);
            foreach (List<TrainingFileResult> batch in items.Select((item, i) => (item, i)).GroupBy(x => x.i / 1000).Select(g => g.Select(x => x.item).ToList()))
            {
                DeleteObjectsResponse response = await Call($"delete {batch.Count} object(s) under {Description}", ct => _client.Value.DeleteObjectsAsync(new DeleteObjectsRequest
                {
                    BucketName = _settings.Bucket,
                    Objects = batch.Select(b => new KeyVersion { Key = b.Target }).ToList(),
                    Quiet = true,
                }, ct), log, cancellationToken).ConfigureAwait(false);
                if (response.DeleteErrors != null && response.DeleteErrors.Count > 0)
                {
                    DeleteError first = response.DeleteErrors[0];
                    throw new DeployException(first.Code == "AccessDenied" ? ErrorIds.TrainingS3AccessDenied : ErrorIds.TrainingS3DeleteFailed, ErrorKind.WriteError,
                        $"{response.DeleteErrors.Count} object(s) of {Description} could not be deleted; first '{first.Key}': {first.Code} {first.Message}", first.Key);
                }
                log.Verbose($"deleted {batch.Count} object(s) under {Description}");
            }
        }

        public Task<string> CommitAsync(TrainingPlan plan, IDeployLog log, CancellationToken cancellationToken) => Task.FromResult(string.Empty);

        // ---- requests through the one retry policy, errors that name the setting ----------------

        private async Task<T> Call<T>(string what, Func<CancellationToken, Task<T>> request, IDeployLog log, CancellationToken cancellationToken)
        {
            try
            {
                return await _retry.ExecuteAsync((_, ct) => request(ct), Classify, log, what, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is DeployException) && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw Translate(ex, what);
            }
        }

        private static RetryDecision Classify(Exception ex)
        {
            if (ex is AmazonServiceException service && service.StatusCode != 0)
                return RetryPolicy.ClassifyHttp(service.StatusCode, null, null);
            Exception inner = Innermost(ex);
            return RetryPolicy.ClassifyHttp(null, null, inner is HttpRequestException || inner is IOException || inner is System.Net.Sockets.SocketException || inner is TaskCanceledException
                ? inner : ex is AmazonServiceException || ex is AmazonClientException ? new IOException(ex.Message) : ex);
        }

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException != null) ex = ex.InnerException;
            return ex;
        }

        private DeployException Translate(Exception ex, string what)
        {
            string endpoint = _settings.Endpoint != null ? $"{_settings.Endpoint} ({_settings.EndpointSetting})" : $"S3 in {_settings.Region} (AWS_REGION)";
            if (ex is AmazonS3Exception s3)
            {
                string code = s3.ErrorCode ?? string.Empty;
                if (s3.StatusCode == HttpStatusCode.Forbidden || code == "AccessDenied" || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch")
                    return new DeployException(ErrorIds.TrainingS3AccessDenied, ErrorKind.PermissionDenied,
                        $"{what}: access denied by {endpoint} ({(code.Length > 0 ? code : "403")}: {s3.Message}); check the credentials of {_settings.CredentialSource} and their rights on {Description} (TRAINING_S3_BUCKET_URL)",
                        Description);
                if (code == "NoSuchBucket")
                    return new DeployException(ErrorIds.TrainingS3BucketNotFound, ErrorKind.ObjectNotFound,
                        $"{what}: the bucket '{_settings.Bucket}' does not exist at {endpoint}; check TRAINING_S3_BUCKET_URL", Description);
                return new DeployException(ErrorIds.TrainingS3RequestFailed, ErrorKind.InvalidResult,
                    $"{what}: {endpoint} answered {(int)s3.StatusCode} {code}: {s3.Message}", Description);
            }
            Exception inner = Innermost(ex);
            if (inner is HttpRequestException || inner is IOException || inner is System.Net.Sockets.SocketException || inner is TaskCanceledException || inner is WebException)
                return new DeployException(ErrorIds.TrainingS3Unreachable, ErrorKind.ConnectionError,
                    $"{what}: cannot reach {endpoint}: {inner.Message}", _settings.Endpoint?.ToString() ?? _settings.Region);
            return new DeployException(ErrorIds.TrainingS3RequestFailed, ErrorKind.InvalidResult, $"{what}: {ex.Message}", Description, ex);
        }

        private static byte[] ReadAll(TrainingFile file)
        {
            byte[] body = new byte[file.Length];
            using Stream s = file.Open();
            int read = ReadBlock(s, body);
            if (read != body.Length || s.ReadByte() >= 0)
                throw new DeployException(ErrorIds.TrainingSourceInvalid, ErrorKind.InvalidData, $"'{file.RelativePath}' changed while it was published", file.RelativePath);
            return body;
        }

        private static int ReadBlock(Stream s, byte[] buffer)
        {
            int total = 0, n;
            while (total < buffer.Length && (n = s.Read(buffer, total, buffer.Length - total)) > 0) total += n;
            return total;
        }

        public void Dispose() { if (_client.IsValueCreated) _client.Value.Dispose(); }
    }
}
