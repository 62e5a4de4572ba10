using System;
using System.Collections.Generic;
using System.IO;

namespace InfluenceGen.Deploy.Images
{
    /// <summary>One instruction of a Dockerfile: where it starts and its text (continuations joined).</summary>
    public sealed class DockerfileInstruction
    {
        public DockerfileInstruction(int line, string text) { Line = line; Text = text; }
        public int Line { get; }
        public string Text { get; }
        public string Keyword => Text.Split(new[] { ' ', '\t' }, 2)[0].ToUpperInvariant();
    }

    /// <summary>
    /// The instructions of a Dockerfile in order, so that the classic builder's "Step N/M" can be named
    /// by its line: that builder numbers every instruction of the file in order (ARGs before the first
    /// FROM included) and stops after the -Target stage. Comments, blank lines, parser directives and
    /// line continuations (the <c># escape=</c> character, <c>\</c> by default) are handled as Docker does.
    /// </summary>
    public sealed class DockerfileSteps
    {
        private DockerfileSteps(string path, IReadOnlyList<DockerfileInstruction> instructions) { Path = path; Instructions = instructions; }

        public string Path { get; }
        public IReadOnlyList<DockerfileInstruction> Instructions { get; }

        /// <summary>Step numbers count from 1.</summary>
        public DockerfileInstruction? Step(int number) =>
            number >= 1 && number <= Instructions.Count ? Instructions[number - 1] : null;

        public static DockerfileSteps Load(string path) => Parse(File.ReadAllLines(path), path);

        public static DockerfileSteps Parse(IReadOnlyList<string> lines, string path)
        {
            char escape = '\\';
            bool directives = true;
            var result = new List<DockerfileInstruction>();
            string? current = null;
            int start = 0;
            for (int i = 0; i < lines.Count; i++)
            {
                string line = lines[i];
                string trimmed = line.Trim();
                if (directives)
                {
                    if (trimmed.StartsWith("#", StringComparison.Ordinal))
                    {
                        string d = trimmed.Substring(1).Trim();
                        if (d.StartsWith("escape", StringComparison.OrdinalIgnoreCase) && d.Contains("="))
                        {
                            string v = d.Substring(d.IndexOf('=') + 1).Trim();
                            if (v.Length == 1) escape = v[0];
                        }
                        continue;
                    }
                    directives = false;
                }
                if (current == null)
                {
                    if (trimmed.Length == 0 || trimmed.StartsWith("#", StringComparison.Ordinal)) continue;
                    current = string.Empty;
                    start = i + 1;
                }
                else if (trimmed.StartsWith("#", StringComparison.Ordinal) || trimmed.Length == 0)
                {
                    continue; // comments and blank lines inside a continued instruction are dropped
                }
                string body = line.TrimEnd();
                if (body.Length > 0 && body[body.Length - 1] == escape)
                {
                    current += body.Substring(0, body.Length - 1).Trim() + " ";
                    continue;
                }
                current += body.Trim();
                result.Add(new DockerfileInstruction(start, current.Trim()));
                current = null;
            }
            if (current != null) result.Add(new DockerfileInstruction(start, current.Trim()));
            return new DockerfileSteps(path, result);
        }
    }
}
