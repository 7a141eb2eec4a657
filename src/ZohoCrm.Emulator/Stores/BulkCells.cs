using System.Globalization;
using System.Text;

namespace ZohoCrm.Emulator;

/// <summary>How a bulk write CSV cell becomes a stored value: the field's type, the mapping's date format, known users.</summary>
internal static class BulkCells
{
    /// <summary>The user bulk writes record as creator and modifier, and the default Owner.</summary>
    public static readonly OrderedDictionary<string, object?> RecordUser = Zoho.User();

    /// <summary>Users an Owner column may name, as the shared (never mutated) lookup values stored in records.</summary>
    private static readonly Dictionary<string, OrderedDictionary<string, object?>> Users = new(StringComparer.Ordinal)
    {
        [BulkWriteJobStore.UserId] = Zoho.User(Zoho.UserName, BulkWriteJobStore.UserId),
        [Zoho.UserId] = Zoho.User(),
    };

    /// <summary>
    /// Turns a CSV cell into the stored value of the field; false for a bad value: one of the wrong type, outside
    /// the field's picklist values, or any value of a read-only field (the row's INVALID_DATA for the column).
    /// </summary>
    public static bool TryParse(FieldSchema field, string cell, string? format, out object? value)
    {
        value = null;
        if (field.ReadOnly)
        {
            return false;
        }
        switch (field.Type)
        {
            case FieldType.Integer:
                if (!long.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
                {
                    return false;
                }
                value = l;
                return true;
            case FieldType.Double or FieldType.Currency:
                if (!double.TryParse(cell, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var d)
                    || !double.IsFinite(d))
                {
                    return false;
                }
                value = d;
                return true;
            case FieldType.Boolean:
                if (cell.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    value = true;
                    return true;
                }
                if (cell.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    value = false;
                    return true;
                }
                return false;
            case FieldType.Date:
                if (!DateTime.TryParseExact(cell, DotNetFormat(format) ?? "MM/dd/yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    return false;
                }
                value = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                return true;
            case FieldType.DateTime:
                if (!DateTimeOffset.TryParseExact(cell, DotNetFormat(format) ?? "MM/dd/yyyy HH:mm:ss", CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dt))
                {
                    return false;
                }
                value = Zoho.FormatTime(dt);
                return true;
            case FieldType.MultiSelectPicklist:
                var items = cell.Split(';');
                value = items;
                return items.All(field.Allows);
            case FieldType.Lookup when field.ApiName == "Owner":
                if (!Users.TryGetValue(cell, out var user))
                {
                    return false;
                }
                value = user;
                return true;
            case FieldType.Lookup:
                value = new OrderedDictionary<string, object?>(StringComparer.Ordinal) { ["id"] = cell };
                return true;
            default:
                value = cell;
                return field.Allows(cell);
        }
    }

    /// <summary>Zoho documents Java date patterns; the common letters mean the same in .NET except AM/PM and fractions.</summary>
    private static string? DotNetFormat(string? format)
    {
        if (string.IsNullOrEmpty(format))
        {
            return null;
        }
        var sb = new StringBuilder(format.Length + 4);
        var quoted = false;
        foreach (var c in format)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                sb.Append(c);
            }
            else if (!quoted && c == 'a')
            {
                sb.Append("tt");
            }
            else if (!quoted && c == 'S')
            {
                sb.Append('f');
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
