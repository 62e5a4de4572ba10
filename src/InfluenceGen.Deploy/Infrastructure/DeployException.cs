using System;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>
    /// A failure of the module's purpose, carrying the stable ErrorId (one of <see cref="ErrorIds"/>) and the
    /// <see cref="ErrorKind"/> the cmdlet base turns into an ErrorRecord and its category
    /// (docs/design.md, principle 4). Domain code throws these; cmdlets never build error ids by hand.
    /// </summary>
    public class DeployException : Exception
    {
        public DeployException(string errorId, ErrorKind kind, string message, object? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
            Target = target;
        }

        public string ErrorId { get; }
        /// <summary>What kind of failure; the cmdlet base maps it to the ErrorRecord's ErrorCategory.</summary>
        public ErrorKind Kind { get; }
        public object? Target { get; }
        /// <summary>What the user can do about it, shown as the ErrorRecord's RecommendedAction.</summary>
        public string? RecommendedAction { get; init; }
    }
}
