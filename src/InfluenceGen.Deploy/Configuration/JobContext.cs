using System;
using System.Collections.Generic;
using System.IO;

namespace InfluenceGen.Deploy.Configuration
{
    /// <summary>
    /// What the module reads of the job it runs in besides settings: who runs it, the GitLab pipeline and job (the links
    /// a notice or a JIRA comment carries), the checkout, the Docker engine, the cache folder. Built by
    /// <see cref="ConfigurationResolver.Job"/> (the one reader of process variables) from the same variables the
    /// settings come from, carried by every resolved configuration, and fed by tests without touching the process.
    /// </summary>
    public sealed class JobContext
    {
        private JobContext() { }

        /// <summary>GITLAB_USER_LOGIN; null outside CI.</summary>
        public string? UserLogin { get; private set; }
        /// <summary>GITLAB_USER_LOGIN, else the local account name (ledger lines, lock owners).</summary>
        public string User => UserLogin ?? System.Environment.UserName;
        /// <summary>CI_PROJECT_DIR: the checkout of a CI job; null outside CI.</summary>
        public string? ProjectDir { get; private set; }
        /// <summary>DOCKER_HOST, as the docker CLI reads it; null when unset.</summary>
        public string? DockerHost { get; private set; }
        /// <summary>XDG_CACHE_HOME, else ~/.cache: the root of the module's caches.</summary>
        public string CacheHome { get; private set; } = string.Empty;

        /// <summary>CI_PROJECT_PATH (group/project).</summary>
        public string? ProjectPath { get; private set; }
        /// <summary>CI_COMMIT_REF_NAME.</summary>
        public string? Ref { get; private set; }
        /// <summary>CI_COMMIT_SHA.</summary>
        public string? CommitSha { get; private set; }
        /// <summary>CI_COMMIT_SHORT_SHA, else the first 8 characters of CI_COMMIT_SHA.</summary>
        public string? CommitShortSha { get; private set; }
        public string? PipelineUrl { get; private set; }
        public string? JobUrl { get; private set; }
        public string? JobName { get; private set; }

        /// <summary>One of the module's caches: CacheHome/influencegen/<paramref name="name"/> (training-hashes,
        /// training-releases, image-builds).</summary>
        public string CacheFor(string name) => Path.Combine(CacheHome, "influencegen", name);

        /// <summary>No pipeline facts at all (a run outside GitLab CI).</summary>
        public bool IsEmpty => ProjectPath == null && Ref == null && CommitShortSha == null && PipelineUrl == null && JobUrl == null;

        /// <summary>A run outside CI: no variables.</summary>
        public static JobContext None { get; } = From(new Dictionary<string, string>());

        public static JobContext From(IReadOnlyDictionary<string, string> variables)
        {
            string? Get(string name) => variables.TryGetValue(name, out string? v) && !string.IsNullOrWhiteSpace(v) ? v : null;
            string? sha = Get("CI_COMMIT_SHA");
            return new JobContext
            {
                UserLogin = Get("GITLAB_USER_LOGIN"),
                ProjectDir = Get("CI_PROJECT_DIR"),
                DockerHost = Get("DOCKER_HOST"),
                CacheHome = Get("XDG_CACHE_HOME") ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".cache"),
                ProjectPath = Get("CI_PROJECT_PATH"),
                Ref = Get("CI_COMMIT_REF_NAME"),
                CommitSha = sha,
                CommitShortSha = Get("CI_COMMIT_SHORT_SHA") ?? (sha != null && sha.Length >= 8 ? sha.Substring(0, 8) : null),
                PipelineUrl = Get("CI_PIPELINE_URL"),
                JobUrl = Get("CI_JOB_URL"),
                JobName = Get("CI_JOB_NAME"),
            };
        }
    }
}
