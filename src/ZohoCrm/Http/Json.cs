using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace ZohoCrm.Http
{
    /// <summary>JSON reading helpers and the one place PowerShell values are turned into JSON values.</summary>
    internal static class Json
    {
        /// <summary>
        /// A request body: one JSON object whose members <paramref name="writeMembers"/> writes, serialised once, as
        /// application/json; charset=utf-8 content made anew for each attempt.
        /// </summary>
        public static Func<System.Net.Http.HttpContent> Body(Action<Utf8JsonWriter> writeMembers)
        {
            var buffer = new System.IO.MemoryStream();
            using (var w = new Utf8JsonWriter(buffer)) { w.WriteStartObject(); writeMembers(w); w.WriteEndObject(); }
            byte[] bytes = buffer.ToArray();
            return () =>
            {
                var content = new System.Net.Http.ByteArrayContent(bytes);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                return content;
            };
        }

        public static string GetString(JsonElement element, string name)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var v)) return null;
            switch (v.ValueKind)
            {
                case JsonValueKind.String: return v.GetString();
                case JsonValueKind.Number:
                case JsonValueKind.True:
                case JsonValueKind.False: return v.GetRawText();
                default: return null;
            }
        }

        public static long? GetInt64(JsonElement element, string name)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var v)) return null;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l)) return l;
            if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out l)) return l;
            return null;
        }

        public static JsonElement? GetObject(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : (JsonElement?)null;

        public static DateTimeOffset? GetDate(JsonElement element, string name)
        {
            string s = GetString(element, name);
            return s != null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : (DateTimeOffset?)null;
        }

        /// <summary>A JSON value as plain .NET: Hashtable (ordered), object[], string, long/double, bool, null.</summary>
        public static object ToObject(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object: return ToHashtable(e);
                case JsonValueKind.Array:
                    var list = new List<object>();
                    foreach (var item in e.EnumerateArray()) list.Add(ToObject(item));
                    return list.ToArray();
                case JsonValueKind.String: return e.GetString();
                case JsonValueKind.Number: return e.TryGetInt64(out long l) ? (object)l : e.GetDouble();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                default: return null;
            }
        }

        public static Hashtable ToHashtable(JsonElement e)
        {
            var result = new Hashtable(StringComparer.OrdinalIgnoreCase);
            if (e.ValueKind != JsonValueKind.Object) return result;
            foreach (var p in e.EnumerateObject()) result[p.Name] = ToObject(p.Value);
            return result;
        }

        /// <summary>
        /// Writes a PowerShell value keeping its JSON type: numbers stay numbers, $true a boolean, $null null,
        /// [datetime] Zoho's ISO form (2021-05-12T07:26:48+00:00, DateValues), lists arrays, hashtables objects; a value
        /// with no meaning as a field value (a scriptblock, a file, a process) is refused naming its type (FieldValues).
        /// </summary>
        public static void WriteValue(Utf8JsonWriter w, object value, string path, int depth = 0)
        {
            if (depth > 16) throw new ZohoValidationException("ZohoCrm.InvalidValue", $"The value of '{path}' is nested too deeply to send to Zoho.", path);
            switch (value)
            {
                case null: w.WriteNullValue(); return;
                case DBNull _: w.WriteNullValue(); return;
                case string s: w.WriteStringValue(s); return;
                case char c: w.WriteStringValue(c.ToString()); return;
                case bool b: w.WriteBooleanValue(b); return;
                case byte _: case sbyte _: case short _: case ushort _: case int _: case long _:
                    w.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); return;
                case uint ui: w.WriteNumberValue(ui); return;
                case ulong ul: w.WriteNumberValue(ul); return;
                case decimal m: w.WriteNumberValue(m); return;
                case float f: WriteDouble(w, f, path); return;
                case double d: WriteDouble(w, d, path); return;
                case DateTime _:
                case DateTimeOffset _: w.WriteStringValue(DateValues.ToApiText(value, $"The value of '{path}'", "Data")); return;
                case Enum en: w.WriteStringValue(en.ToString()); return;
                case JsonElement element: element.WriteTo(w); return; // a value read back from a run's manifest
                case IDictionary dict:
                    w.WriteStartObject();
                    foreach (DictionaryEntry entry in dict)
                    {
                        string key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture);
                        w.WritePropertyName(key);
                        WriteValue(w, entry.Value, path + "." + key, depth + 1);
                    }
                    w.WriteEndObject();
                    return;
                case IEnumerable list:
                    w.WriteStartArray();
                    foreach (var item in list) WriteValue(w, item, path + "[]", depth + 1);
                    w.WriteEndArray();
                    return;
                default: w.WriteStringValue(FieldValues.ScalarText(value, $"The value of '{path}'", "Data")); return;
            }
        }

        private static void WriteDouble(Utf8JsonWriter w, double d, string path)
        {
            if (double.IsNaN(d) || double.IsInfinity(d))
                throw new ZohoValidationException("ZohoCrm.InvalidValue", $"The value of '{path}' is {d.ToString(CultureInfo.InvariantCulture)}, which JSON cannot carry.", path);
            w.WriteNumberValue(d);
        }
    }
}
