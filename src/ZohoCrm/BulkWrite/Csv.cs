using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using ZohoCrm.Http;

namespace ZohoCrm.BulkWrite
{
    /// <summary>RFC 4180 CSV: the writer the module uploads with, and a streaming reader for CSV input and Zoho's results.</summary>
    internal static class Csv
    {
        public const string BulkWriteDateTimeFormat = "MM/dd/yyyy HH:mm:ss";

        private static readonly char[] QuotedChars = { ',', '"', '\r', '\n' };

        /// <summary>Quotes a cell when it holds a comma, a quote, a line break, or leading/trailing spaces.</summary>
        [MethodImpl(Hot.Path)]
        public static void WriteCell(TextWriter w, string value)
        {
            if (string.IsNullOrEmpty(value)) return;
            bool quote = value[0] == ' ' || value[0] == '\t' || value[value.Length - 1] == ' ' || value[value.Length - 1] == '\t'
                         || value.IndexOfAny(QuotedChars) >= 0;
            if (!quote) { w.Write(value); return; }
            w.Write('"');
            w.Write(value.Replace("\"", "\"\""));
            w.Write('"');
        }

        [MethodImpl(Hot.Path)]
        public static void WriteRow(TextWriter w, IReadOnlyList<string> cells)
        {
            for (int i = 0; i < cells.Count; i++)
            {
                if (i > 0) w.Write(',');
                WriteCell(w, cells[i]);
            }
            w.Write("\r\n");
        }

        /// <summary>
        /// A PowerShell value as CSV text: invariant culture for numbers, true/false, $null empty, dates in Zoho's
        /// MM/dd/yyyy HH:mm:ss (or <paramref name="dateFormat"/>), lists joined with ';' (multi-select picklists).
        /// </summary>
        public static string FormatValue(object value, string dateFormat, string column, long row) => FormatValue(value, dateFormat, column, row, false);

        [MethodImpl(Hot.Path)]
        private static string FormatValue(object value, string dateFormat, string column, long row, bool inList)
        {
            switch (value)
            {
                case null: return "";
                case DBNull _: return "";
                case string s: return s;
                case char c: return c.ToString();
                case bool b: return b ? "true" : "false";
                case DateTime _:
                case DateTimeOffset _:
                    return DateValues.ToCsvText(value, dateFormat ?? BulkWriteDateTimeFormat, TimeZoneInfo.Local, $"Row {row}, column '{column}'", "InputObject");
                case double d when double.IsNaN(d) || double.IsInfinity(d):
                case float f when float.IsNaN(f) || float.IsInfinity(f):
                    throw new ZohoValidationException("ZohoCrm.InvalidValue", $"Row {row}, column '{column}': {value} is not a number Zoho can store.", "InputObject");
                case double d: return RoundTrip(d);
                case float f: return RoundTrip(f);
                case IDictionary _:
                    throw new ZohoValidationException("ZohoCrm.InvalidValue",
                        $"Row {row}, column '{column}' holds an object ({(value is CustomObjectValue ? "PSCustomObject" : value.GetType().Name)}); bulk write takes text, numbers, booleans and dates. For a lookup, give its id in a column such as 'Account_Name.id'.", "InputObject");
                case IEnumerable _ when inList:
                    throw new ZohoValidationException("ZohoCrm.InvalidValue",
                        $"Row {row}, column '{column}' holds a list inside a list; a multi-select picklist cell takes one list of values.", "InputObject");
                case IEnumerable list:
                    var parts = new List<string>();
                    foreach (var item in list) parts.Add(FormatValue(item, dateFormat, column, row, true));
                    return string.Join(";", parts);
                // A number (the common case) before the row's name for an error is built.
                case IFormattable formattable: return formattable.ToString(null, CultureInfo.InvariantCulture);
                default: return FieldValues.ScalarText(value, $"Row {row}, column '{column}'", "InputObject");
            }
        }

        /// <summary>
        /// The shortest text that reads back as the same number. "R" alone is not enough: on .NET Framework
        /// (Windows PowerShell 5.1) it does not always round-trip, so fall back to the 17 (or 9) significant digits
        /// that always do.
        /// </summary>
        internal static string RoundTrip(double d)
        {
            string text = d.ToString("R", CultureInfo.InvariantCulture);
            return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture).Equals(d) ? text : d.ToString("G17", CultureInfo.InvariantCulture);
        }

        internal static string RoundTrip(float f)
        {
            string text = f.ToString("R", CultureInfo.InvariantCulture);
            return float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture).Equals(f) ? text : f.ToString("G9", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A CSV record past CsvReader.MaxRecordChars: the line it starts on and the 0-based cell being read.</summary>
    internal sealed class CsvRecordTooLargeException : Exception
    {
        public CsvRecordTooLargeException(long line, int cellIndex, int maxChars)
            : base($"The CSV record on line {line} is longer than {maxChars.ToString("N0", CultureInfo.InvariantCulture)} characters (in cell {cellIndex + 1}).")
        {
            Line = line; CellIndex = cellIndex; MaxChars = maxChars;
        }

        public long Line { get; }
        public int CellIndex { get; }
        public int MaxChars { get; }
    }
}
