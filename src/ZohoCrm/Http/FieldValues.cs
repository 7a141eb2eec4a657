using System;
using System.Globalization;

namespace ZohoCrm.Http
{
    /// <summary>
    /// What a scalar field value may be, for mass update (-Data) and bulk write cells alike. Text, numbers, booleans and
    /// dates are written by the callers; beyond them, a value that has an invariant text of its own (IFormattable: a
    /// [guid], a [version], a [timespan], a [bigint]) or a [uri] is written as that text. Anything else (a scriptblock,
    /// a FileInfo or Process object, a PSCustomObject's runtime object, ...) has no meaning as a field value: its
    /// ToString() would store "System.Diagnostics.Process (pwsh)" or the script's source, so it is refused, naming
    /// its type.
    /// </summary>
    internal static class FieldValues
    {
        /// <param name="where">Where the value is, for the message ("The value of 'Rating'", "Row 3, column 'Notes'").</param>
        public static string ScalarText(object value, string where, string parameter)
        {
            switch (value)
            {
                case IFormattable formattable: return formattable.ToString(null, CultureInfo.InvariantCulture);
                case Uri uri: return uri.OriginalString;
                case Version version: return version.ToString(); // not IFormattable on .NET Framework (Windows PowerShell 5.1)
                default:
                    throw new ZohoValidationException("ZohoCrm.InvalidValueType",
                        $"{where} is a {value.GetType().FullName}, which has no meaning as a field value. Give text, a number, a boolean or a date (for a file or an object, the property you mean, such as $file.Name).",
                        parameter);
            }
        }
    }
}
