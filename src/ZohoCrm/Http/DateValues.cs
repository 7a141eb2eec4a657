using System;
using System.Globalization;

namespace ZohoCrm.Http
{
    /// <summary>
    /// The one conversion of a [datetime] or [datetimeoffset] to the instant Zoho stores, used by mass update (JSON,
    /// Json.WriteValue) and bulk write (CSV cells, Csv.FormatValue), so the same value means the same moment in both:
    /// a [datetimeoffset] is its instant; a UTC [datetime] is UTC; a local or unspecified [datetime] is the wall clock
    /// of this machine's time zone (as .NET and PowerShell read it). A wall clock the zone cannot place (such as
    /// [datetime]::MaxValue west of UTC) is a ZohoCrm.InvalidValue naming where it was, never an
    /// ArgumentOutOfRangeException.
    /// </summary>
    internal static class DateValues
    {
        /// <summary>Zoho's API form: 2024-03-01T09:30:00+05:00.</summary>
        public const string ApiFormat = "yyyy-MM-dd'T'HH:mm:sszzz";

        /// <summary>The instant <paramref name="value"/> means (a DateTime or DateTimeOffset), in <paramref name="zone"/> for a local or unspecified DateTime.</summary>
        /// <param name="where">Where the value is, for the error message ("-Data 'Last_Contacted'", "Row 3, column 'Seen'").</param>
        public static DateTimeOffset ToInstant(object value, TimeZoneInfo zone, string where, string parameter)
        {
            if (value is DateTimeOffset dto) return dto;
            var dt = (DateTime)value;
            if (dt.Kind == DateTimeKind.Utc) return new DateTimeOffset(dt, TimeSpan.Zero);
            var wallClock = DateTime.SpecifyKind(dt, DateTimeKind.Unspecified);
            TimeSpan offset = zone.GetUtcOffset(wallClock);
            long utcTicks = wallClock.Ticks - offset.Ticks;
            if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
                throw new ZohoValidationException("ZohoCrm.InvalidValue",
                    $"{where}: {dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} ({dt.Kind} time, at this machine's offset {Offset(offset)}) is outside the dates .NET can place in time. Give a [datetime] with Kind Utc, or a [datetimeoffset].",
                    parameter);
            return new DateTimeOffset(wallClock, offset);
        }

        /// <summary>The value in Zoho's API form (mass update), at its own offset.</summary>
        public static string ToApiText(object value, string where, string parameter) =>
            ToInstant(value, TimeZoneInfo.Local, where, parameter).ToString(ApiFormat, CultureInfo.InvariantCulture);

        /// <summary>
        /// The value as a bulk write cell in <paramref name="format"/>: the instant in UTC (a CSV cell has no offset;
        /// the emulator reads it as UTC, and Zoho's documentation names no other zone). A format with no time of day (a Date field's, such as
        /// yyyy-MM-dd) writes the date as given: a date is a day on the calendar, not an instant.
        /// </summary>
        public static string ToCsvText(object value, string format, TimeZoneInfo zone, string where, string parameter)
        {
            if (!HasTimeOfDay(format))
            {
                var date = value is DateTimeOffset d ? d.DateTime : (DateTime)value;
                return date.ToString(format, CultureInfo.InvariantCulture);
            }
            return ToInstant(value, zone, where, parameter).ToUniversalTime().ToString(format, CultureInfo.InvariantCulture);
        }

        /// <summary>Whether a .NET date format shows a time of day (hours, minutes, seconds, fractions, AM/PM, an offset).</summary>
        public static bool HasTimeOfDay(string format)
        {
            if (format.Length == 1) return "dDMmYy".IndexOf(format[0]) < 0; // standard formats: only these are date-only
            bool quoted = false;
            char quote = '\0';
            for (int i = 0; i < format.Length; i++)
            {
                char c = format[i];
                if (quoted) { if (c == quote) quoted = false; continue; }
                if (c == '\'' || c == '"') { quoted = true; quote = c; continue; }
                if (c == '\\') { i++; continue; }
                if ("HhmsfFtzK".IndexOf(c) >= 0) return true;
            }
            return false;
        }

        /// <summary>Checks a bulk write mapping's Format once, so '%' or a stray quote is a clear error before any row is written.</summary>
        public static bool IsValidFormat(string format)
        {
            try
            {
                new DateTimeOffset(2024, 3, 1, 9, 30, 0, TimeSpan.Zero).ToString(format, CultureInfo.InvariantCulture);
                new DateTime(2024, 3, 1, 9, 30, 0).ToString(format, CultureInfo.InvariantCulture);
                return true;
            }
            catch (FormatException) { return false; }
        }

        private static string Offset(TimeSpan offset) => (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
    }
}
