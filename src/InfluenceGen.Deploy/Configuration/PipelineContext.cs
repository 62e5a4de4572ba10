using System;
using System.Collections.Generic;
using System.IO;

namespace InfluenceGen.Deploy.Configuration
{
    /// <summary>
    /// What a run knows of the GitLab job and the machine it runs on, read once by the resolver from the process's
    /// variables (docs/design.md, principle 5: only the resolver reads them) and carried by every resolved
    /// configuration: who deploys, the pipeline's links for notices and JIRA comments, the checkout, the Docker engine
    /// and where the module keeps its caches.
    /// </summary>
    public sealed class PipelineContext
    {
        public string? ProjectPath { get; set; }
        public string? Ref { get; set; }
        public string? CommitShortSha { get; set; }
        public string? PipelineUrl { get; set; }
        public string? JobUrl { get; set; }
        public string? JobName { get; set; }
        /// <summary>GITLAB_USER_LOGIN; null outside CI.</summary>
        public string? UserLogin { get; set; }

        /// <summary>GITLAB_USER_LOGIN, else the account running the process: the ledger's and the lock's user.</summary>
        public string User => UserLogin ?? Environment.UserName;

        /// <summary>CI_PROJECT_DIR: the checkout of a GitLab job; null outside CI.</summary>
        public string? ProjectDirectory { get; set; }

        /// <summary>DOCKER_HOST as the docker CLI reads it; null when unset.</summary>
        public string? DockerHost { get; set; }

        /// <summary>$XDG_CACHE_HOME/influencegen, else ~/.cache/influencegen.</summary>
        public string CacheDirectory { get; set; } =
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "influencegen");

        public bool IsEmpty => ProjectPath == null && Ref == null && CommitShortSha == null && PipelineUrl == null && JobUrl == null;

        /// <summary>One cache's folder under <see cref="CacheDirectory"/> (training-hashes, image-builds …).</summary>
        public string CacheFor(string name) => Path.Combine(CacheDirectory, name);

        public static PipelineContext FromVariables(IReadOnlyDictionary<string, string> variables)
        {
            string? Get(string name) => variables.TryGetValue(name, out string? v) && !string.IsNullOrWhiteSpace(v) ? v : null;
            string? sha = Get("CI_COMMIT_SHORT_SHA") ?? (Get("CI_COMMIT_SHA") is string full && full.Length >= 8 ? full.Substring(0, 8) : null);
            var context = new PipelineContext
            {
                ProjectPath = Get("CI_PROJECT_PATH"),
                Ref = Get("CI_COMMIT_REF_NAME"),
                CommitShortSha = sha,
                PipelineUrl = Get("CI_PIPELINE_URL"),
                JobUrl = Get("CI_JOB_URL"),
                JobName = Get("CI_JOB_NAME"),
                UserLogin = Get("GITLAB_USER_LOGIN"),
                ProjectDirectory = Get("CI_PROJECT_DIR"),
                DockerHost = Get("DOCKER_HOST"),
            };
            if (Get("XDG_CACHE_HOME") is string xdg) context.CacheDirectory = Path.Combine(xdg, "influencegen");
            return context;
        }
    }
}
