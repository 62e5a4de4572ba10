using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace InfluenceGen.Deploy.Odoo
{
    /// <summary>A syntax error in a Python literal, with the 1-based line and column where it was found.</summary>
    public sealed class PythonSyntaxException : Exception
    {
        public PythonSyntaxException(string message, int line, int column) : base(message)
        {
            Line = line;
            Column = column;
        }

        public int Line { get; }
        public int Column { get; }
    }

    /// <summary>
    /// Parses one Python literal expression the way <c>ast.literal_eval</c> accepts it, without
    /// executing anything: dict, list, tuple, set, str (single, double, triple-quoted, raw, escaped,
    /// implicitly concatenated), bytes, int/float (hex, octal, binary, underscores, sign), True,
    /// False, None, comments, trailing commas and line continuations.
    /// Results: <see cref="Dictionary{TKey,TValue}"/> (string or other keys, insertion ordered via
    /// <see cref="PythonDict"/>), <see cref="List{T}"/> for list/tuple/set, string, long, double,
    /// System.Numerics-free big ints as decimal strings are rejected, bool, null.
    /// </summary>
    public sealed class PythonLiteralParser
    {
        private readonly string _text;
        private int _pos;
        private int _line = 1;
        private int _lineStart;

        private PythonLiteralParser(string text) => _text = text;

        public static object? Parse(string text)
        {
            var parser = new PythonLiteralParser(text);
            parser.SkipTrivia(insideBrackets: false);
            if (parser.AtEnd) throw parser.Error("the file is empty: expected a Python literal");
            object? value = parser.ParseExpression();
            parser.SkipTrivia(insideBrackets: false);
            if (!parser.AtEnd) throw parser.Error($"unexpected '{parser.Current}' after the end of the literal");
            return value;
        }

        private bool AtEnd => _pos >= _text.Length;
        private char Current => _text[_pos];
        private char Peek(int offset) => _pos + offset < _text.Length ? _text[_pos + offset] : '\0';
        private int Column => _pos - _lineStart + 1;

        private PythonSyntaxException Error(string message) => new PythonSyntaxException(message, _line, Column);
        private PythonSyntaxException ErrorAt(string message, int line, int column) => new PythonSyntaxException(message, line, column);

        private void Advance()
        {
            if (_text[_pos] == '\n')
            {
                _line++;
                _lineStart = _pos + 1;
            }
            _pos++;
        }

        /// <summary>Skips blanks, comments and (inside brackets) newlines; outside brackets a bare
        /// newline is allowed only around the single top-level expression, which is all we parse.</summary>
        private void SkipTrivia(bool insideBrackets)
        {
            while (!AtEnd)
            {
                char c = Current;
                if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\n' || c == '\uFEFF') { Advance(); continue; }
                if (c == '#') { while (!AtEnd && Current != '\n') Advance(); continue; }
                if (c == '\\' && (Peek(1) == '\n' || (Peek(1) == '\r' && Peek(2) == '\n'))) { Advance(); if (Current == '\r') Advance(); Advance(); continue; }
                break;
            }
        }

        private object? ParseExpression()
        {
            SkipTrivia(true);
            if (AtEnd) throw Error("unexpected end of file: a value is missing");
            char c = Current;
            switch (c)
            {
                case '{': return ParseBraces();
                case '[': return ParseSequence('[', ']', "list");
                case '(': return ParseParenthesised();
                case '-':
                case '+':
                {
                    int line = _line, col = Column;
                    Advance();
                    SkipTrivia(true);
                    object? operand = ParseExpression();
                    if (operand is long l) return c == '-' ? -l : l;
                    if (operand is double d) return c == '-' ? -d : d;
                    throw ErrorAt($"'{c}' can only precede a number", line, col);
                }
            }
            if (c == '"' || c == '\'' || IsStringPrefix()) return ParseStrings();
            if (char.IsDigit(c) || (c == '.' && char.IsDigit(Peek(1)))) return ParseNumber();
            if (char.IsLetter(c) || c == '_') return ParseName();
            throw Error($"unexpected '{c}': expected a Python literal (dict, list, tuple, string, number, True, False or None)");
        }

        private bool IsStringPrefix()
        {
            int i = 0;
            while (i < 3 && char.IsLetter(Peek(i))) i++;
            if (i == 0 || (Peek(i) != '"' && Peek(i) != '\'')) return false;
            string prefix = _text.Substring(_pos, i).ToLowerInvariant();
            return prefix is "r" or "u" or "b" or "rb" or "br" or "f" or "rf" or "fr";
        }

        private object ParseName()
        {
            int line = _line, col = Column, start = _pos;
            while (!AtEnd && (char.IsLetterOrDigit(Current) || Current == '_')) Advance();
            string name = _text.Substring(start, _pos - start);
            switch (name)
            {
                case "True": return true;
                case "False": return false;
                case "None": return NoneValue.Instance;
            }
            SkipTrivia(true);
            string what = !AtEnd && Current == '(' ? $"a call of '{name}(...)'" : $"the name '{name}'";
            throw ErrorAt($"{what} is not a literal: a manifest must be a plain Python literal and is never executed", line, col);
        }

        private object ParseNumber()
        {
            int line = _line, col = Column, start = _pos;
            if (Current == '0' && (Peek(1) is 'x' or 'X' or 'o' or 'O' or 'b' or 'B'))
            {
                char kind = char.ToLowerInvariant(Peek(1));
                Advance(); Advance();
                int digitsStart = _pos;
                while (!AtEnd && (char.IsLetterOrDigit(Current) || Current == '_')) Advance();
                string digits = _text.Substring(digitsStart, _pos - digitsStart).Replace("_", "");
                try
                {
                    int radix = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
                    return Convert.ToInt64(digits, radix);
                }
                catch (Exception)
                {
                    throw ErrorAt($"invalid number literal '{_text.Substring(start, _pos - start)}'", line, col);
                }
            }
            bool isFloat = false;
            while (!AtEnd)
            {
                char c = Current;
                if (char.IsDigit(c) || c == '_') { Advance(); continue; }
                if (c == '.') { isFloat = true; Advance(); continue; }
                if ((c == 'e' || c == 'E') && (char.IsDigit(Peek(1)) || ((Peek(1) == '-' || Peek(1) == '+') && char.IsDigit(Peek(2)))))
                {
                    isFloat = true; Advance(); if (Current == '-' || Current == '+') Advance(); continue;
                }
                break;
            }
            if (!AtEnd && (char.IsLetter(Current) || Current == '_'))
                throw Error($"invalid number literal: unexpected '{Current}'");
            string text = _text.Substring(start, _pos - start).Replace("_", "");
            if (isFloat)
            {
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return d;
            }
            else
            {
                if (text.Length > 1 && text[0] == '0' && text.Trim('0').Length > 0)
                    throw ErrorAt($"leading zeros in '{text}' are not allowed in Python 3 (use 0o for octal)", line, col);
                if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long l)) return l;
            }
            throw ErrorAt($"invalid number literal '{text}'", line, col);
        }

        private object ParseStrings()
        {
            // Adjacent string literals are one string (implicit concatenation).
            var sb = new StringBuilder();
            bool? isBytes = null;
            do
            {
                int line = _line, col = Column;
                bool bytes = ParseOneString(sb);
                if (isBytes.HasValue && isBytes.Value != bytes)
                    throw ErrorAt("cannot mix bytes and str literals", line, col);
                isBytes = bytes;
                SkipTrivia(true);
            } while (!AtEnd && (Current == '"' || Current == '\'' || IsStringPrefix()));
            return sb.ToString();
        }

        private bool ParseOneString(StringBuilder sb)
        {
            int line = _line, col = Column;
            bool raw = false, bytes = false;
            while (Current != '"' && Current != '\'')
            {
                char p = char.ToLowerInvariant(Current);
                if (p == 'r') raw = true;
                else if (p == 'b') bytes = true;
                else if (p == 'f') throw Error("an f-string is not a literal: it would be executed");
                Advance();
            }
            char quote = Current;
            bool triple = Peek(1) == quote && Peek(2) == quote;
            Advance();
            if (triple) { Advance(); Advance(); }
            while (true)
            {
                if (AtEnd) throw ErrorAt(triple ? "unterminated triple-quoted string" : "unterminated string", line, col);
                char c = Current;
                if (c == quote)
                {
                    if (!triple) { Advance(); return bytes; }
                    if (Peek(1) == quote && Peek(2) == quote) { Advance(); Advance(); Advance(); return bytes; }
                    sb.Append(c); Advance(); continue;
                }
                if (c == '\n' && !triple) throw ErrorAt("unterminated string (end of line reached)", line, col);
                if (c == '\\')
                {
                    if (raw)
                    {
                        // In raw strings a backslash escapes the quote but stays in the value.
                        sb.Append(c); Advance();
                        if (!AtEnd) { sb.Append(Current); Advance(); }
                        continue;
                    }
                    Advance();
                    if (AtEnd) throw ErrorAt("unterminated string", line, col);
                    ParseEscape(sb, bytes);
                    continue;
                }
                if (c == '\r' && Peek(1) == '\n') { Advance(); continue; } // universal newlines
                sb.Append(c);
                Advance();
            }
        }

        private void ParseEscape(StringBuilder sb, bool bytes)
        {
            int line = _line, col = Column - 1;
            char e = Current;
            Advance();
            switch (e)
            {
                case '\n': return; // line continuation inside a string
                case '\r': if (!AtEnd && Current == '\n') Advance(); return;
                case '\\': sb.Append('\\'); return;
                case '\'': sb.Append('\''); return;
                case '"': sb.Append('"'); return;
                case 'a': sb.Append('\a'); return;
                case 'b': sb.Append('\b'); return;
                case 'f': sb.Append('\f'); return;
                case 'n': sb.Append('\n'); return;
                case 'r': sb.Append('\r'); return;
                case 't': sb.Append('\t'); return;
                case 'v': sb.Append('\v'); return;
                case 'x': sb.Append((char)ReadHex(2, line, col)); return;
                case 'u' when !bytes: sb.Append((char)ReadHex(4, line, col)); return;
                case 'U' when !bytes: sb.Append(char.ConvertFromUtf32(ReadHex(8, line, col))); return;
                case 'N' when !bytes: throw ErrorAt("\\N{...} named escapes are not supported in manifests; write the character itself", line, col);
            }
            if (e >= '0' && e <= '7')
            {
                int value = e - '0';
                for (int i = 0; i < 2 && !AtEnd && Current >= '0' && Current <= '7'; i++) { value = value * 8 + (Current - '0'); Advance(); }
                sb.Append((char)value);
                return;
            }
            // Python keeps unknown escapes verbatim (with a warning).
            sb.Append('\\').Append(e);
        }

        private int ReadHex(int digits, int line, int col)
        {
            if (_pos + digits > _text.Length) throw ErrorAt($"truncated \\x/\\u escape: {digits} hex digits expected", line, col);
            string hex = _text.Substring(_pos, digits);
            if (!int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value))
                throw ErrorAt($"invalid escape: '{hex}' is not {digits} hex digits", line, col);
            for (int i = 0; i < digits; i++) Advance();
            return value;
        }

        private object ParseBraces()
        {
            int line = _line, col = Column;
            Advance(); // {
            SkipTrivia(true);
            if (!AtEnd && Current == '}') { Advance(); return new PythonDict(); }
            int firstLine = _line, firstCol = Column;
            object? first = ParseExpression();
            SkipTrivia(true);
            if (!AtEnd && Current == ':') return ParseDictRest(first, firstLine, firstCol, line, col);
            // A set literal: {a, b}
            var items = new PythonList();
            items.Add(first, firstLine, firstCol);
            while (true)
            {
                SkipTrivia(true);
                if (AtEnd) throw ErrorAt("'{' was never closed", line, col);
                if (Current == '}') { Advance(); return items; }
                Expect(',', "',' or '}'");
                SkipTrivia(true);
                if (!AtEnd && Current == '}') { Advance(); return items; }
                AddParsed(items);
            }
        }

        private PythonDict ParseDictRest(object? firstKey, int keyLine, int keyCol, int line, int col)
        {
            var dict = new PythonDict();
            object? key = firstKey;
            while (true)
            {
                Expect(':', "':'");
                object? value = ParseExpression();
                dict.Set(key, value, keyLine, keyCol);
                SkipTrivia(true);
                if (AtEnd) throw ErrorAt("'{' was never closed", line, col);
                if (Current == '}') { Advance(); return dict; }
                Expect(',', "',' or '}' after a dict value");
                SkipTrivia(true);
                if (AtEnd) throw ErrorAt("'{' was never closed", line, col);
                if (Current == '}') { Advance(); return dict; }
                SkipTrivia(true);
                keyLine = _line; keyCol = Column;
                key = ParseExpression();
                if (key is PythonDict || (key is PythonList list && !list.IsTuple))
                    throw ErrorAt("a dict key must be hashable (str, number, tuple)", keyLine, keyCol);
                SkipTrivia(true);
            }
        }

        private object ParseParenthesised()
        {
            int line = _line, col = Column;
            Advance(); // (
            SkipTrivia(true);
            if (!AtEnd && Current == ')') { Advance(); return new PythonList { IsTuple = true }; }
            int firstLine = _line, firstCol = Column;
            object? first = ParseExpression();
            SkipTrivia(true);
            if (AtEnd) throw ErrorAt("'(' was never closed", line, col);
            if (Current == ')') { Advance(); return first!; } // grouping, not a tuple
            var items = new PythonList { IsTuple = true };
            items.Add(first, firstLine, firstCol);
            while (true)
            {
                Expect(',', "',' or ')'");
                SkipTrivia(true);
                if (AtEnd) throw ErrorAt("'(' was never closed", line, col);
                if (Current == ')') { Advance(); return items; }
                AddParsed(items);
                SkipTrivia(true);
                if (AtEnd) throw ErrorAt("'(' was never closed", line, col);
                if (Current == ')') { Advance(); return items; }
            }
        }

        private PythonList ParseSequence(char open, char close, string what)
        {
            int line = _line, col = Column;
            Advance();
            var items = new PythonList();
            while (true)
            {
                SkipTrivia(true);
                if (AtEnd) throw ErrorAt($"'{open}' was never closed", line, col);
                if (Current == close) { Advance(); return items; }
                AddParsed(items);
                SkipTrivia(true);
                if (AtEnd) throw ErrorAt($"'{open}' was never closed", line, col);
                if (Current == close) { Advance(); return items; }
                Expect(',', $"',' or '{close}' in a {what}");
            }
        }

        /// <summary>Parses the next value into <paramref name="list"/>, remembering where it starts.</summary>
        private void AddParsed(PythonList list)
        {
            SkipTrivia(true);
            int line = _line, column = Column;
            list.Add(ParseExpression(), line, column);
        }

        private void Expect(char c, string what)
        {
            SkipTrivia(true);
            if (AtEnd) throw Error($"unexpected end of file: expected {what}");
            if (Current != c) throw Error($"expected {what} but found '{Current}'");
            Advance();
        }
    }

    /// <summary>Python's None (kept distinct from a missing key).</summary>
    public sealed class NoneValue
    {
        public static readonly NoneValue Instance = new NoneValue();
        private NoneValue() { }
        public override string ToString() => "None";
    }

    /// <summary>A Python list, tuple or set, with the line and column of each item (for errors that
    /// point at the offending entry of a manifest's <c>data</c> list).</summary>
    public sealed class PythonList : List<object?>
    {
        private readonly List<(int Line, int Column)> _positions = new List<(int, int)>();
        public bool IsTuple { get; set; }
        public void Add(object? item, int line, int column) { Add(item); _positions.Add((line, column)); }
        public (int Line, int Column) PositionOf(int index) => index < _positions.Count ? _positions[index] : (0, 0);
    }

    /// <summary>An insertion-ordered Python dict; a repeated key keeps the last value, as Python does.
    /// Remembers where each key was written.</summary>
    public sealed class PythonDict
    {
        private readonly List<KeyValuePair<object?, object?>> _items = new List<KeyValuePair<object?, object?>>();
        private readonly List<(int Line, int Column)> _positions = new List<(int, int)>();

        public void Set(object? key, object? value, int line = 0, int column = 0)
        {
            for (int i = 0; i < _items.Count; i++)
            {
                if (Equals(_items[i].Key, key)) { _items[i] = new KeyValuePair<object?, object?>(key, value); _positions[i] = (line, column); return; }
            }
            _items.Add(new KeyValuePair<object?, object?>(key, value));
            _positions.Add((line, column));
        }

        public (int Line, int Column) PositionOf(string key)
        {
            for (int i = 0; i < _items.Count; i++)
                if (_items[i].Key is string s && s == key) return _positions[i];
            return (0, 0);
        }

        public bool TryGet(string key, out object? value)
        {
            foreach (var item in _items)
            {
                if (item.Key is string s && s == key) { value = item.Value; return true; }
            }
            value = null;
            return false;
        }

        public IReadOnlyList<KeyValuePair<object?, object?>> Items => _items;
        public int Count => _items.Count;
    }
}
