using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ZohoCrm.Http
{
    /// <summary>
    /// The one set of rules for input that becomes part of a URL, a header or a request body's keys: Zoho ids,
    /// module and field API names, the API version, the org id. Every pattern matches the whole string (\A...\z:
    /// "$" also matches before a final "\n", which is what Get-Content -Raw leaves) and only ASCII ([0-9], [A-Za-z]:
    /// "\d" matches every Unicode digit, and IgnoreCase lets [A-Za-z] match the Kelvin sign). The parameter
    /// attributes (Cmdlets/Validation.cs) and the domain services both ask here.
    /// </summary>
    internal static class InputRules
    {
        private static readonly Regex ZohoIdPattern = new Regex(@"\A[0-9]{1,30}\z", RegexOptions.CultureInvariant);
        private static readonly Regex DigitsPattern = new Regex(@"\A[0-9]+\z", RegexOptions.CultureInvariant);
        private static readonly Regex ModuleNamePattern = new Regex(@"\A[A-Za-z][A-Za-z0-9_]{0,99}\z", RegexOptions.CultureInvariant);
        /// <summary>A field API name, or a lookup's Field.TargetField (bulk write columns such as Account_Name.id).</summary>
        private static readonly Regex FieldNamePattern = new Regex(@"\A[A-Za-z0-9_]{1,100}(\.[A-Za-z0-9_]{1,100})?\z", RegexOptions.CultureInvariant);
        private static readonly Regex ApiVersionPattern = new Regex(@"\A[vV][0-9]{1,3}(\.[0-9]{1,3})?\z", RegexOptions.CultureInvariant);

        /// <summary>A record, job, view, territory, file or org id: 1 to 30 ASCII digits.</summary>
        public static bool IsZohoId(string value) => value != null && ZohoIdPattern.IsMatch(value);

        /// <summary>One or more ASCII digits (a column index given as text).</summary>
        public static bool IsAsciiDigits(string value) => value != null && DigitsPattern.IsMatch(value);

        /// <summary>A module API name: an ASCII letter, then up to 99 letters, digits or underscores.</summary>
        public static bool IsModuleName(string value) => value != null && ModuleNamePattern.IsMatch(value);

        /// <summary>A field API name (ASCII letters, digits, underscores), optionally .TargetField.</summary>
        public static bool IsFieldName(string value) => value != null && FieldNamePattern.IsMatch(value);

        /// <summary>An API version such as v8 or v2.1.</summary>
        public static bool IsApiVersion(string value) => value != null && ApiVersionPattern.IsMatch(value);

        /// <summary>Refuses a bad id with ZohoCrm.InvalidId naming <paramref name="parameter"/>; returns it unchanged.</summary>
        public static string RequireZohoId(string value, string parameter)
        {
            if (!IsZohoId(value))
                throw new ZohoValidationException("ZohoCrm.InvalidId", $"-{parameter} {Show(value)} is not a Zoho id: Zoho ids are strings of digits 0-9, such as 738964000002131001.", parameter);
            return value;
        }

        /// <summary>Refuses a bad module name with ZohoCrm.InvalidModule; returns it unchanged.</summary>
        public static string RequireModuleName(string value, string parameter)
        {
            if (!IsModuleName(value))
                throw new ZohoValidationException("ZohoCrm.InvalidModule", $"-{parameter} {Show(value)} is not a module API name: API names are letters, digits and underscores, such as Leads, Deals or Custom_Module1.", parameter);
            return value;
        }

        /// <summary>
        /// A value quoted for a message, with what cannot be seen written as PowerShell escapes: "123`n" for a
        /// trailing newline, `u{0663} for a non-ASCII character, so the user sees why it was refused.
        /// </summary>
        public static string Show(string value)
        {
            if (value == null) return "$null";
            var sb = new StringBuilder("'");
            foreach (char c in value)
            {
                switch (c)
                {
                    case '\n': sb.Append("`n"); break;
                    case '\r': sb.Append("`r"); break;
                    case '\t': sb.Append("`t"); break;
                    case '\0': sb.Append("`0"); break;
                    default:
                        if (Unseen(c)) sb.Append("`u{").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('}');
                        else sb.Append(c);
                        break;
                }
            }
            return sb.Append('\'').ToString();
        }

        /// <summary>Characters that look like something else or like nothing: controls, non-ASCII digits, odd spaces, format marks.</summary>
        private static bool Unseen(char c)
        {
            if (char.IsControl(c) || (char.IsDigit(c) && c > 0x7F)) return true;
            switch (char.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Format:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                    return true;
                case UnicodeCategory.SpaceSeparator:
                    return c != ' ';
                default:
                    return false;
            }
        }
    }
}
