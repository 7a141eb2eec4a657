using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;

namespace ZohoCrm.BulkWrite
{
    /// <summary>The rows a job was made from: its chunk file (key column first), or its rows re-read from the caller's file.</summary>
    internal sealed class InputRows
    {
        /// <summary>The columns as in the file the rows were read from.</summary>
        public IReadOnlyList<string> Header { get; private set; }
        /// <summary>The columns in the caller's order: the order of the result's input properties.</summary>
        public IReadOnlyList<string> Columns { get; private set; }
        public List<string[]> Rows { get; } = new List<string[]>();
        public long FirstRow { get; private set; }
        /// <summary>For each of <see cref="Columns"/>, its index in <see cref="Header"/>.</summary>
        public int[] ColumnIndex { get; private set; }

        /// <summary>A job's chunk ZIP; <paramref name="callerColumns"/> (the job's InputColumns) restores the caller's column order.</summary>
        public static InputRows FromChunk(string zipPath, long firstRow, IReadOnlyList<string> callerColumns)
        {
            var input = new InputRows { FirstRow = firstRow };
            using (var zip = ZipFile.OpenRead(zipPath))
            using (var csv = new CsvReader(new StreamReader(zip.Entries[0].Open(), new UTF8Encoding(false)), maxRecordChars: int.MaxValue))
            {
                var header = csv.ReadRecord() ?? new List<string>();
                List<string> row;
                while ((row = csv.ReadRecord()) != null)
                {
                    if (row.Count == 1 && row[0].Length == 0 && header.Count > 1) continue;
                    input.Rows.Add(row.ToArray());
                }
                input.SetHeader(header, callerColumns);
            }
            return input;
        }

        /// <summary>Rows <paramref name="firstRow"/>..<paramref name="lastRow"/> of the caller's CSV (or ZIP), read again.</summary>
        public static InputRows FromSource(string path, long firstRow, long lastRow)
        {
            var input = new InputRows { FirstRow = firstRow };
            List<string> header = null;
            new CsvFileReader(path, CsvFileReader.StrictEncoding(null, "Path"), null).Read(h => header = h, (record, row) =>
            {
                if (row >= firstRow && row <= lastRow) input.Rows.Add(record.ToArray());
            });
            input.SetHeader(header ?? new List<string>(), header);
            return input;
        }

        private void SetHeader(IReadOnlyList<string> header, IReadOnlyList<string> callerColumns)
        {
            Header = header;
            bool same = callerColumns != null && callerColumns.Count == header.Count && callerColumns.All(c => header.Contains(c));
            Columns = same ? callerColumns : header;
            ColumnIndex = Columns.Select(c => IndexOf(header, c)).ToArray();
        }

        internal static int IndexOf(IReadOnlyList<string> header, string name)
        {
            for (int i = 0; i < header.Count; i++) if (string.Equals(header[i], name, StringComparison.Ordinal)) return i;
            for (int i = 0; i < header.Count; i++) if (string.Equals(header[i], name, StringComparison.OrdinalIgnoreCase)) return i;
            return -1;
        }
    }

    /// <summary>A result row tied to its input row; Result null: Zoho's result has no row for it. Input null: the row names no input row.</summary>
    internal sealed class JoinedRow
    {
        public long RowNumber;
        /// <summary>The input row's cells in <see cref="InputRows.Columns"/> order.</summary>
        public string[] Input;
        public BulkWriteResultRow Result;
    }

    /// <summary>
    /// Ties each row of a job's result to the input row it came from. Zoho echoes the first three mapped columns (the
    /// module puts the key column first), in upload order: each result row is checked against the next input row, and
    /// one that differs is looked up by its echoed values among the rows not tied yet (tied only when exactly one row
    /// has them). Input rows with no result row, result rows out of upload order and result rows that name no input
    /// row are collected, so the caller reports them by row number: never a silent gap.
    /// </summary>
    internal sealed class ResultJoin
    {
        private readonly InputRows _input;
        private readonly bool[] _tied;
        private int[] _echoIndex;
        private Dictionary<string, List<int>> _byEcho;
        private int _next;
        private int _highest = -1;

        public ResultJoin(InputRows input)
        {
            _input = input;
            _tied = new bool[input.Rows.Count];
        }

        public List<long> Missing { get; } = new List<long>();
        public List<long> OutOfOrder { get; } = new List<long>();
        /// <summary>Result rows (their place in the result file, from 1) whose echoed values name no input row, or more than one.</summary>
        public List<long> Unmatched { get; } = new List<long>();
        public long ResultRows { get; private set; }
        public bool HasProblems => Missing.Count > 0 || OutOfOrder.Count > 0 || Unmatched.Count > 0;

        public IEnumerable<JoinedRow> Join(IEnumerable<BulkWriteResultRow> results)
        {
            foreach (var r in results)
            {
                ResultRows++;
                if (_echoIndex == null) _echoIndex = r.Columns.Select(c => InputRows.IndexOf(_input.Header, c.Key)).ToArray();
                int at = Find(r);
                if (at < 0)
                {
                    Unmatched.Add(ResultRows);
                    yield return new JoinedRow { RowNumber = r.RowNumber, Result = r };
                    continue;
                }
                _tied[at] = true;
                if (at < _highest) OutOfOrder.Add(_input.FirstRow + at);
                _highest = Math.Max(_highest, at);
                while (_next < _tied.Length && _tied[_next]) _next++;
                r.RowNumber = _input.FirstRow + at;
                yield return new JoinedRow { RowNumber = r.RowNumber, Input = Cells(at), Result = r };
            }
            for (int i = 0; i < _tied.Length; i++)
            {
                if (_tied[i]) continue;
                Missing.Add(_input.FirstRow + i);
                yield return new JoinedRow { RowNumber = _input.FirstRow + i, Input = Cells(i) };
            }
        }

        [MethodImpl(Hot.Path)]
        private string[] Cells(int row)
        {
            var cells = _input.Rows[row];
            var ordered = new string[_input.Columns.Count];
            for (int i = 0; i < ordered.Length; i++)
            {
                int c = _input.ColumnIndex[i];
                ordered[i] = c >= 0 && c < cells.Length ? cells[c] : null;
            }
            return ordered;
        }

        /// <summary>The input row a result row answers: the next one in upload order if its echo matches, else the one row not tied yet with that echo; -1 if none.</summary>
        [MethodImpl(Hot.Path)]
        private int Find(BulkWriteResultRow r)
        {
            if (_echoIndex.Any(i => i < 0))
                return _next < _tied.Length ? _next : -1; // an echo column the input lacks: only the order can tie them
            if (_next < _tied.Length && Matches(r, _next)) return _next;
            if (_byEcho == null)
            {
                _byEcho = new Dictionary<string, List<int>>(StringComparer.Ordinal);
                for (int i = 0; i < _input.Rows.Count; i++)
                {
                    string key = EchoOf(_input.Rows[i]);
                    if (!_byEcho.TryGetValue(key, out var list)) _byEcho[key] = list = new List<int>();
                    list.Add(i);
                }
            }
            if (!_byEcho.TryGetValue(string.Join("\u001f", r.Columns.Select(c => c.Value ?? "")), out var candidates)) return -1;
            var open = candidates.Where(i => !_tied[i]).Take(2).ToList();
            return open.Count == 1 ? open[0] : -1;
        }

        [MethodImpl(Hot.Path)]
        private bool Matches(BulkWriteResultRow r, int row)
        {
            var cells = _input.Rows[row];
            for (int i = 0; i < _echoIndex.Length; i++)
            {
                int c = _echoIndex[i];
                if (!string.Equals(c < cells.Length ? cells[c] : "", r.Columns[i].Value ?? "", StringComparison.Ordinal)) return false;
            }
            return true;
        }

        private string EchoOf(string[] cells) => string.Join("\u001f", _echoIndex.Select(c => c < cells.Length ? cells[c] : ""));

        /// <summary>Row numbers as short ranges: "5, 8-12, 40".</summary>
        public static string Ranges(IReadOnlyList<long> rows, int max = 20)
        {
            var parts = new List<string>();
            int i = 0;
            for (; i < rows.Count && parts.Count < max; i++)
            {
                int j = i;
                while (j + 1 < rows.Count && rows[j + 1] == rows[j] + 1) j++;
                parts.Add(j == i ? rows[i].ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{rows[i]}-{rows[j]}");
                i = j;
            }
            string text = string.Join(", ", parts);
            return i < rows.Count ? text + ", ..." : text;
        }
    }
}
