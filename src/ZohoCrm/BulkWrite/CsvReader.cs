using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;

namespace ZohoCrm.BulkWrite
{
    /// <summary>
    /// Reads RFC 4180 records one at a time: quoted fields, doubled quotes, commas and line breaks inside quotes. A
    /// record longer than <see cref="MaxRecordChars"/> stops the read (CsvRecordTooLargeException), so memory stays
    /// bounded whatever the input holds (a ZIP whose one cell expands to a gigabyte).
    /// The text is read a block at a time into a buffer and scanned there: a cell that lies whole in the buffer (most
    /// do) becomes its string in one step, with no call per character; only a cell across two blocks or holding a
    /// doubled quote is built piece by piece.
    /// </summary>
    internal sealed class CsvReader : IDisposable
    {
        /// <summary>
        /// 16 Mi characters (32 MB in memory): far past any real row, since a Zoho field holds at most 32,000
        /// characters (a long text area) and a row at most 200 of them.
        /// </summary>
        public const int DefaultMaxRecordChars = 16 * 1024 * 1024;

        private const int BufferChars = 16 * 1024;

        private readonly TextReader _reader;
        private readonly StringBuilder _field = new StringBuilder();
        private readonly char[] _buffer = new char[BufferChars];
        private int _pos, _end;
        private bool _eof;
        private int _lastWidth = 8;

        public CsvReader(TextReader reader, int maxRecordChars = DefaultMaxRecordChars) { _reader = reader; MaxRecordChars = maxRecordChars; }

        public int MaxRecordChars { get; }

        /// <summary>The 1-based line where the last record read started (for error messages).</summary>
        public long LineNumber { get; private set; }
        private long _line = 1;

        /// <summary>True when a character is in the buffer (reading the next block if needed); false at the end.</summary>
        private bool Fill()
        {
            if (_pos < _end) return true;
            if (_eof) return false;
            _end = _reader.Read(_buffer, 0, _buffer.Length);
            _pos = 0;
            if (_end > 0) return true;
            _end = 0;
            _eof = true;
            return false;
        }

        /// <summary>The next record, or null at the end. A malformed quote is an error naming the line.</summary>
        [MethodImpl(Hot.Path)]
        public List<string> ReadRecord()
        {
            if (!Fill()) return null;
            LineNumber = _line;
            var record = new List<string>(_lastWidth);
            long chars = 0;
            while (true)
            {
                string cell;
                if (Fill() && _buffer[_pos] == '"')
                {
                    _pos++;
                    Count(ref chars, 1, record);
                    cell = Quoted(ref chars, record);
                    // After the closing quote: the end of the cell, the record or the text, or an error.
                    if (Fill())
                    {
                        char next = _buffer[_pos];
                        if (next != ',' && next != '\r' && next != '\n')
                            throw new ZohoValidationException("ZohoCrm.InvalidCsv", $"Line {_line} of the CSV has text after a closing quote.", "Path");
                    }
                }
                else cell = Unquoted(ref chars, record);
                if (!Fill())
                {
                    record.Add(cell);
                    return Done(record);
                }
                char ch = _buffer[_pos++];
                Count(ref chars, 1, record);
                record.Add(cell);
                if (ch == ',') continue;
                // '\r' or '\n': the record ends; "\r\n" is one line break.
                if (ch == '\r' && Fill() && _buffer[_pos] == '\n') _pos++;
                _line++;
                return Done(record);
            }
        }

        private List<string> Done(List<string> record)
        {
            _lastWidth = Math.Max(record.Count, 1);
            return record;
        }

        private void Count(ref long chars, int n, List<string> record)
        {
            chars += n;
            if (chars > MaxRecordChars) throw new CsvRecordTooLargeException(LineNumber, record.Count, MaxRecordChars);
        }

        /// <summary>An unquoted cell: up to the next comma or line break (a quote inside it is text).</summary>
        private string Unquoted(ref long chars, List<string> record)
        {
            _field.Clear();
            while (Fill())
            {
                int start = _pos, end = _end;
                var b = _buffer;
                int i = start;
                while (i < end)
                {
                    char c = b[i];
                    if (c == ',' || c == '\n' || c == '\r') break;
                    i++;
                }
                _pos = i;
                Count(ref chars, i - start, record);
                if (i < end)
                {
                    if (_field.Length == 0) return i == start ? "" : new string(b, start, i - start);
                    _field.Append(b, start, i - start);
                    return _field.ToString();
                }
                _field.Append(b, start, i - start); // the cell goes on in the next block
            }
            return _field.ToString();
        }

        /// <summary>A quoted cell after its opening quote, up to its closing quote; "" is one quote.</summary>
        private string Quoted(ref long chars, List<string> record)
        {
            _field.Clear();
            while (true)
            {
                if (!Fill()) throw new ZohoValidationException("ZohoCrm.InvalidCsv", $"The CSV ends inside a quoted field that starts on line {LineNumber}.", "Path");
                int start = _pos, end = _end;
                var b = _buffer;
                int i = start;
                while (i < end)
                {
                    char c = b[i];
                    if (c == '"') break;
                    if (c == '\n') _line++;
                    i++;
                }
                Count(ref chars, i - start, record);
                if (i == end)
                {
                    _field.Append(b, start, i - start);
                    _pos = i;
                    continue;
                }
                // A quote: counted; the cell ends unless another quote follows (possibly in the next block).
                Count(ref chars, 1, record);
                if (i + 1 < end)
                {
                    if (b[i + 1] == '"')
                    {
                        _field.Append(b, start, i + 1 - start); // the text and one quote
                        _pos = i + 2;
                        continue;
                    }
                    _pos = i + 1;
                    if (_field.Length == 0) return new string(b, start, i - start);
                    _field.Append(b, start, i - start);
                    return _field.ToString();
                }
                _field.Append(b, start, i - start);
                _pos = i + 1;
                if (Fill() && _buffer[_pos] == '"')
                {
                    _field.Append('"');
                    _pos++;
                    continue;
                }
                return _field.ToString();
            }
        }

        public void Dispose() => _reader.Dispose();
    }
}
