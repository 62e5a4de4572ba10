namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>
    /// What kind of failure a <see cref="DeployException"/> is, in the domain's own words so that domain code needs no
    /// reference to PowerShell. The cmdlet base (Cmdlets/InfluenceGenCmdlet.cs) maps each kind to the PowerShell
    /// ErrorCategory of the same name, which is what <c>$Error[0].CategoryInfo.Category</c> shows.
    /// </summary>
    public enum ErrorKind
    {
        /// <summary>Nothing more precise applies.</summary>
        NotSpecified,
        /// <summary>A parameter or setting has a value that cannot be used.</summary>
        InvalidArgument,
        /// <summary>Input data (a manifest, a workflow, a ledger, a package) is malformed or inconsistent.</summary>
        InvalidData,
        /// <summary>Input text cannot be parsed.</summary>
        ParserError,
        /// <summary>The operation is not allowed in the current state.</summary>
        InvalidOperation,
        /// <summary>An operation ran but its result is wrong (tests failed, a health check failed, a tool failed).</summary>
        InvalidResult,
        /// <summary>A file, release, bucket or remote object does not exist.</summary>
        ObjectNotFound,
        /// <summary>A server or host cannot be reached, or the connection was lost.</summary>
        ConnectionError,
        /// <summary>Credentials were refused.</summary>
        AuthenticationError,
        /// <summary>Refused on purpose (production guard, fixed environment, access denied).</summary>
        PermissionDenied,
        /// <summary>A security check failed (host key, unsafe path or zip entry).</summary>
        SecurityError,
        /// <summary>Something cannot be read.</summary>
        ReadError,
        /// <summary>Something cannot be written.</summary>
        WriteError,
        /// <summary>Held by someone else (a lock).</summary>
        ResourceBusy,
        /// <summary>Already exists (a conflicting object).</summary>
        ResourceExists,
        /// <summary>Not available now (disk space, a service down).</summary>
        ResourceUnavailable,
        /// <summary>A safety limit was reached.</summary>
        LimitsExceeded,
        /// <summary>Not supported on this platform or configuration.</summary>
        NotImplemented,
        /// <summary>A needed component is not installed or not wired.</summary>
        NotInstalled,
        /// <summary>Cancelled.</summary>
        OperationStopped,
        /// <summary>Did not finish in time.</summary>
        OperationTimeout,
    }
}
