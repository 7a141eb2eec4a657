using System.Globalization;
using System.Text.Json;

namespace ZohoCrm.Emulator;

/// <summary>The values a mass update may set: JSON checked against the field's type.</summary>
internal static class MassUpdateValues
{
    /// <summary>Checks a JSON value against the field's type (and picklist values) and turns it into the stored form.</summary>
    public static bool TryConvert(FieldSchema field, JsonElement v, out object? value)
    {
        value = null;
        if (v.ValueKind == JsonValueKind.Null)
        {
            if (field.Mandatory)
            {
                return false;
            }
            value = field.Type == FieldType.MultiSelectPicklist ? Array.Empty<string>() : null;
            return true;
        }
        switch (field.Type)
        {
            case FieldType.Text or FieldType.Email or FieldType.Phone or FieldType.TextArea or FieldType.Picklist:
                if (v.ValueKind != JsonValueKind.String || (field.Mandatory && string.IsNullOrWhiteSpace(v.GetString())))
                {
                    return false;
                }
                value = v.GetString();
                return field.Allows((string)value!);
            case FieldType.Integer:
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var l))
                {
                    return false;
                }
                value = l;
                return true;
            case FieldType.Double or FieldType.Currency:
                if (v.ValueKind != JsonValueKind.Number)
                {
                    return false;
                }
                value = v.GetDouble();
                return true;
            case FieldType.Boolean:
                if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return false;
                }
                value = v.GetBoolean();
                return true;
            case FieldType.MultiSelectPicklist:
                if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                {
                    return false;
                }
                var items = v.EnumerateArray().Select(e => e.GetString()!).ToArray();
                value = items;
                return items.All(field.Allows);
            case FieldType.Date:
                if (v.ValueKind != JsonValueKind.String
                    || !DateOnly.TryParseExact(v.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    return false;
                }
                value = v.GetString();
                return true;
            case FieldType.DateTime:
                if (v.ValueKind != JsonValueKind.String || v.GetString() is not { } s || !s.Contains('T')
                    || !DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
                {
                    return false;
                }
                value = s;
                return true;
            case FieldType.Lookup:
                if (v.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }
                var dict = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
                foreach (var p in v.EnumerateObject())
                {
                    dict[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
                }
                value = dict;
                return true;
            default:
                return false;
        }
    }
}
