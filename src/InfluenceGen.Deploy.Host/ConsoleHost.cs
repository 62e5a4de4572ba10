using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace InfluenceGen.Deploy.Host
{
    /// <summary>A minimal PSHost: output to stdout, errors/warnings/verbose to stderr (as pwsh does
    /// when its output is redirected), progress to stderr only on a terminal.</summary>
    internal sealed class ConsoleHost : PSHost
    {
        private readonly ConsoleUI _ui = new ConsoleUI();
        private readonly Guid _id = Guid.NewGuid();

        public int? ExitCode { get; private set; }
        public override string Name => "InfluenceGen.Deploy.Host";
        public override Version Version => typeof(ConsoleHost).Assembly.GetName().Version ?? new Version(0, 1);
        public override Guid InstanceId => _id;
        public override PSHostUserInterface UI => _ui;
        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override void SetShouldExit(int exitCode) => ExitCode = exitCode;
        public override void EnterNestedPrompt() => throw new NotSupportedException("nested prompts are not supported by this host");
        public override void ExitNestedPrompt() => throw new NotSupportedException("nested prompts are not supported by this host");
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public bool NonInteractive { get => _ui.NonInteractive; set => _ui.NonInteractive = value; }
        /// <summary>While set, formatted output goes to stderr (used to show a terminating error).</summary>
        public bool OutputToStderr { get => _ui.OutputToStderr; set => _ui.OutputToStderr = value; }
    }

    internal sealed class ConsoleUI : PSHostUserInterface, IHostUISupportsMultipleChoiceSelection
    {
        private readonly ConsoleRawUI _raw = new ConsoleRawUI();
        public bool NonInteractive { get; set; }
        public override PSHostRawUserInterface RawUI => _raw;
        // ANSI styling only on a terminal, as pwsh does ($PSStyle.OutputRendering = Host).
        public override bool SupportsVirtualTerminal => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") == null;

        public bool OutputToStderr { get; set; }
        private System.IO.TextWriter Writer => OutputToStderr ? Console.Error : Console.Out;
        private string Out(string value) => GetOutputString(value, OutputToStderr ? !Console.IsErrorRedirected : SupportsVirtualTerminal);
        public override void Write(string value) => Writer.Write(Out(value));
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Writer.Write(Out(value));
        public override void WriteLine(string value) => Writer.WriteLine(Out(value));
        public override void WriteErrorLine(string value) => Console.Error.WriteLine(GetOutputString(value, !Console.IsErrorRedirected));
        public override void WriteDebugLine(string message) => Console.Error.WriteLine("DEBUG: " + message);
        public override void WriteVerboseLine(string message) => Console.Error.WriteLine("VERBOSE: " + message);
        public override void WriteWarningLine(string message) => Console.Error.WriteLine("WARNING: " + message);
        public override void WriteInformation(InformationRecord record) { }

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
            if (Console.IsErrorRedirected || record.RecordType == ProgressRecordType.Completed) return;
            string pct = record.PercentComplete >= 0 ? $" {record.PercentComplete}%" : string.Empty;
            Console.Error.Write($"\r{record.Activity}: {record.StatusDescription}{pct}".PadRight(Math.Max(10, _raw.BufferSize.Width - 1)).Substring(0, Math.Max(10, _raw.BufferSize.Width - 1)));
            Console.Error.Write("\r");
        }

        private string ReadOrRefuse(string what)
        {
            if (NonInteractive || Console.IsInputRedirected)
                throw new PSInvalidOperationException($"{what} needs user input, but the host runs non-interactively; pass the value as a parameter (or -Confirm:$false / -Force).");
            return Console.ReadLine() ?? string.Empty;
        }

        public override string ReadLine() => ReadOrRefuse("Read-Host");

        public override SecureString ReadLineAsSecureString()
        {
            var secure = new SecureString();
            foreach (char c in ReadOrRefuse("A secret prompt")) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
        {
            var result = new Dictionary<string, PSObject>();
            foreach (FieldDescription field in descriptions)
            {
                Console.Error.Write($"{field.Name}: ");
                result[field.Name] = PSObject.AsPSObject(ReadOrRefuse($"Parameter '{field.Name}'"));
            }
            return result;
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
            => throw new PSInvalidOperationException("credential prompts are not supported by this host; pass a PSCredential");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
            => PromptForCredential(caption, message, userName, targetName);

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Console.Error.WriteLine(caption);
            Console.Error.WriteLine(message);
            for (int i = 0; i < choices.Count; i++) Console.Error.WriteLine($"  [{i}] {choices[i].Label.Replace("&", "")} - {choices[i].HelpMessage}");
            Console.Error.Write($"Choice (default {defaultChoice}): ");
            string answer = ReadOrRefuse("A confirmation");
            return int.TryParse(answer, out int n) && n >= 0 && n < choices.Count ? n : defaultChoice;
        }

        public Collection<int> PromptForChoice(string? caption, string? message, Collection<ChoiceDescription> choices, IEnumerable<int>? defaultChoices)
            => new Collection<int> { PromptForChoice(caption ?? string.Empty, message ?? string.Empty, choices, 0) };
    }

    internal sealed class ConsoleRawUI : PSHostRawUserInterface
    {
        private static int Width()
        {
            try { return Console.IsOutputRedirected ? 120 : Math.Max(40, Console.WindowWidth); }
            catch (Exception) { return 120; }
        }

        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override Size BufferSize { get => new Size(Width(), 9999); set { } }
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new Size(Width(), 100);
        public override Size MaxWindowSize => new Size(Width(), 100);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get => new Size(Width(), 50); set { } }
        public override string WindowTitle { get; set; } = "ig-pwsh";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("ReadKey is not supported by this host");
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
