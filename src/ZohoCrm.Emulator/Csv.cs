using System.Buffers;
using System.Text;

namespace ZohoCrm.Emulator;

/// <summary>
/// Streaming RFC 4180 reader: quoted fields, "" escapes, delimiters and CR/LF inside quotes, CRLF / LF / CR line
/// ends. Completely empty lines are skipped. Leniencies: a quote inside an unquoted field is kept as text, text after
/// a closing quote is appended, an unterminated quote runs to the end of the input.
/// </summary>
internal sealed class CsvReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly char _delimiter;
    private readonly SearchValues<char> _unquotedStops;
    private readonly char[] _buffer = new char[64 * 1024];
    private readonly StringBuilder _field = new();
    private readonly List<string> _row = new();
    private int _pos;
    private int _len;
    private bool _eof;

    public CsvReader(TextReader reader, char delimiter = ',')
    {
        _reader = reader;
        _delimiter = delimiter;
        _unquotedStops = SearchValues.Create([delimiter, '"', '\r', '\n']);
    }

    /// <summary>Opens text in <paramref name="encoding"/> (UTF-8 when null); a BOM wins.</summary>
    public static CsvReader Open(Stream stream, char delimiter = ',', Encoding? encoding = null) =>
        new(new StreamReader(stream, encoding ?? new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024), delimiter);

    /// <summary>The next record, or null at the end of the input.</summary>
    public string[]? ReadRow()
    {
        while (true)
        {
            _row.Clear();
            _field.Clear();
            var quoted = false;   // current field started with a quote
            var inQuotes = false;
            var any = false;      // anything seen on this record (an empty line has nothing)
            while (true)
            {
                if (_pos >= _len && !Fill())
                {
                    if (!any)
                    {
                        return null;
                    }
                    _row.Add(_field.ToString());
                    return _row.ToArray();
                }
                var span = _buffer.AsSpan(_pos, _len - _pos);
                if (inQuotes)
                {
                    var q = span.IndexOf('"');
                    if (q < 0)
                    {
                        _field.Append(span);
                        _pos = _len;
                        continue;
                    }
                    _field.Append(span[..q]);
                    _pos += q + 1;
                    if (Peek() == '"')
                    {
                        _field.Append('"');
                        _pos++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                    continue;
                }

                var stop = span.IndexOfAny(_unquotedStops);
                if (stop < 0)
                {
                    _field.Append(span);
                    _pos = _len;
                    any = true;
                    continue;
                }
                if (stop > 0)
                {
                    _field.Append(span[..stop]);
                    any = true;
                }
                var c = span[stop];
                _pos += stop + 1;
                if (c == '"')
                {
                    any = true;
                    if (_field.Length == 0 && !quoted)
                    {
                        quoted = inQuotes = true;
                    }
                    else
                    {
                        _field.Append('"');
                    }
                }
                else if (c == _delimiter)
                {
                    any = true;
                    _row.Add(_field.ToString());
                    _field.Clear();
                    quoted = false;
                }
                else
                {
                    if (c == '\r' && Peek() == '\n')
                    {
                        _pos++;
                    }
                    if (!any)
                    {
                        break; // empty line: skip
                    }
                    _row.Add(_field.ToString());
                    return _row.ToArray();
                }
            }
        }
    }

    /// <summary>Skips records without keeping them; returns how many were skipped (at most <paramref name="max"/>).</summary>
    public int Skip(int max)
    {
        var n = 0;
        while (n < max && ReadRow() is not null)
        {
            n++;
        }
        return n;
    }

    private int Peek()
    {
        if (_pos >= _len && !Fill())
        {
            return -1;
        }
        return _buffer[_pos];
    }

    private bool Fill()
    {
        if (_eof)
        {
            return false;
        }
        _len = _reader.Read(_buffer, 0, _buffer.Length);
        _pos = 0;
        if (_len <= 0)
        {
            _len = 0;
            _eof = true;
            return false;
        }
        return true;
    }

    public void Dispose() => _reader.Dispose();

    /// <summary>
    /// Guesses the delimiter from the first line: comma when it holds one (outside quotes), else the most frequent of
    /// ';', '|', ':' and tab; comma when none.
    /// </summary>
    public static char SniffDelimiter(Stream stream, Encoding? encoding = null)
    {
        using var reader = new StreamReader(stream, encoding ?? new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        var counts = new Dictionary<char, int> { [','] = 0, [';'] = 0, ['|'] = 0, [':'] = 0, ['\t'] = 0 };
        var inQuotes = false;
        for (var i = 0; i < 1024 * 1024; i++)
        {
            var c = reader.Read();
            if (c < 0 || (!inQuotes && (c == '\n' || c == '\r')))
            {
                break;
            }
            if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes && counts.TryGetValue((char)c, out var n))
            {
                counts[(char)c] = n + 1;
            }
        }
        if (counts[','] > 0)
        {
            return ',';
        }
        var best = counts.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value).Select(kv => kv.Key).FirstOrDefault();
        return best == default ? ',' : best;
    }
}

/// <summary>RFC 4180 writing: fields quoted when they hold a comma, quote, CR or LF; records end with CRLF.</summary>
internal static class CsvWriter
{
    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");

    public static void WriteRow(TextWriter writer, IReadOnlyList<string> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }
            WriteField(writer, fields[i]);
        }
        writer.Write("\r\n");
    }

    public static void WriteField(TextWriter writer, string value)
    {
        if (value.AsSpan().IndexOfAny(NeedsQuotes) < 0)
        {
            writer.Write(value);
            return;
        }
        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }
}
