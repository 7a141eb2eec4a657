using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.Http;

namespace ZohoCrm.Metadata
{
    /// <summary>
    /// The org's metadata (modules, fields, custom views), read on first need and kept per connection for
    /// <see cref="Lifetime"/>; <c>force</c> reads it again. Safe to call from several threads (completion, -Parallel).
    /// </summary>
    internal sealed class MetadataCache
    {
        public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

        private sealed class Entry<T>
        {
            public T Value;
            public DateTimeOffset ReadOn;
        }

        private readonly ConcurrentDictionary<string, object> _entries = new ConcurrentDictionary<string, object>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The kept value if it is fresh, else <paramref name="read"/>'s (then kept).</summary>
        public async Task<T> GetAsync<T>(string key, bool force, Func<Task<T>> read)
        {
            if (!force && _entries.TryGetValue(key, out var o) && o is Entry<T> e && DateTimeOffset.Now - e.ReadOn < Lifetime) return e.Value;
            var value = await read().ConfigureAwait(false);
            _entries[key] = new Entry<T> { Value = value, ReadOn = DateTimeOffset.Now };
            return value;
        }

        /// <summary>The kept value, fresh or not, without a call (completion when a call is not wanted); default if none.</summary>
        public T Peek<T>(string key) => _entries.TryGetValue(key, out var o) && o is Entry<T> e ? e.Value : default;
    }

    /// <summary>The metadata calls: GET /crm/{v}/settings/modules, /settings/fields?module=X, /settings/custom_views?module=X.</summary>
    internal sealed class MetadataService
    {
        private readonly Connection _connection;

        public MetadataService(Connection connection) { _connection = connection; }

        public Task<IReadOnlyList<ZohoModule>> ModulesAsync(bool force, CancellationToken ct) =>
            _connection.Metadata.GetAsync<IReadOnlyList<ZohoModule>>("modules", force, async () =>
            {
                using (var doc = await GetAsync("settings/modules", ct).ConfigureAwait(false))
                    return Items(doc.RootElement, "modules").Select(ToModule).ToList();
            });

        public Task<IReadOnlyList<ZohoField>> FieldsAsync(string module, bool force, CancellationToken ct)
        {
            InputRules.RequireModuleName(module, "Module");
            return _connection.Metadata.GetAsync<IReadOnlyList<ZohoField>>("fields:" + module, force, async () =>
            {
                using (var doc = await GetAsync("settings/fields?module=" + Uri.EscapeDataString(module), ct).ConfigureAwait(false))
                    return Items(doc.RootElement, "fields").Select(f => ToField(module, f)).ToList();
            });
        }

        public Task<IReadOnlyList<ZohoCustomView>> CustomViewsAsync(string module, bool force, CancellationToken ct)
        {
            InputRules.RequireModuleName(module, "Module");
            return _connection.Metadata.GetAsync<IReadOnlyList<ZohoCustomView>>("views:" + module, force, async () =>
            {
                using (var doc = await GetAsync("settings/custom_views?module=" + Uri.EscapeDataString(module), ct).ConfigureAwait(false))
                    return Items(doc.RootElement, "custom_views").Select(v => ToView(module, v)).ToList();
            });
        }

        /// <summary>What is kept for a module, without a call (null if nothing is).</summary>
        public IReadOnlyList<ZohoField> KeptFields(string module) => _connection.Metadata.Peek<IReadOnlyList<ZohoField>>("fields:" + module);
        public IReadOnlyList<ZohoModule> KeptModules() => _connection.Metadata.Peek<IReadOnlyList<ZohoModule>>("modules");
        public IReadOnlyList<ZohoCustomView> KeptViews(string module) => _connection.Metadata.Peek<IReadOnlyList<ZohoCustomView>>("views:" + module);

        private async Task<JsonDocument> GetAsync(string relative, CancellationToken ct)
        {
            var response = await _connection.Client.SendAsync(new ZohoRequest(HttpMethod.Get, _connection.CrmUrl(relative)) { Idempotent = true }, ct).ConfigureAwait(false);
            // 204: nothing of that kind (a module with no custom views).
            if (response.StatusCode == 204 || response.Body.Length == 0) return JsonDocument.Parse("{}");
            return response.EnsureSuccess();
        }

        private static IEnumerable<JsonElement> Items(JsonElement root, string name)
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array) yield break;
            foreach (var item in list.EnumerateArray())
                if (item.ValueKind == JsonValueKind.Object) yield return item;
        }

        private static bool Bool(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && (v.ValueKind == JsonValueKind.True || (v.ValueKind == JsonValueKind.String && string.Equals(v.GetString(), "true", StringComparison.OrdinalIgnoreCase)));

        private static ZohoModule ToModule(JsonElement m) => new ZohoModule
        {
            ApiName = Json.GetString(m, "api_name"),
            Id = Json.GetString(m, "id"),
            SingularLabel = Json.GetString(m, "singular_label"),
            PluralLabel = Json.GetString(m, "plural_label"),
            ApiSupported = !m.TryGetProperty("api_supported", out _) || Bool(m, "api_supported"),
            Creatable = Bool(m, "creatable"),
            Editable = Bool(m, "editable"),
        };

        internal static ZohoField ToField(string module, JsonElement f)
        {
            var field = new ZohoField
            {
                Module = module,
                ApiName = Json.GetString(f, "api_name"),
                Label = Json.GetString(f, "field_label") ?? Json.GetString(f, "display_label"),
                Id = Json.GetString(f, "id"),
                DataType = Json.GetString(f, "data_type")?.ToLowerInvariant(),
                JsonType = Json.GetString(f, "json_type"),
                ReadOnly = Bool(f, "read_only") || Bool(f, "field_read_only"),
                Mandatory = Bool(f, "system_mandatory"),
                // "unique": true, or an object that says how (an empty object: not unique).
                Unique = f.TryGetProperty("unique", out var u) && (u.ValueKind == JsonValueKind.True || (u.ValueKind == JsonValueKind.Object && u.EnumerateObject().Any())),
                Visible = !f.TryGetProperty("visible", out _) || Bool(f, "visible"),
                Length = (int?)Json.GetInt64(f, "length"),
            };
            if (f.TryGetProperty("pick_list_values", out var values) && values.ValueKind == JsonValueKind.Array)
                field.PicklistValues = values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Object)
                    .Select(v => Json.GetString(v, "actual_value") ?? Json.GetString(v, "display_value")).Where(v => v != null).ToArray();
            var lookup = Json.GetObject(f, "lookup");
            if (lookup.HasValue)
            {
                var target = Json.GetObject(lookup.Value, "module");
                field.LookupModule = target.HasValue ? Json.GetString(target.Value, "api_name") : Json.GetString(lookup.Value, "module");
            }
            return field;
        }

        private static ZohoCustomView ToView(string module, JsonElement v) => new ZohoCustomView
        {
            Module = module,
            Id = Json.GetString(v, "id"),
            Name = Json.GetString(v, "name"),
            DisplayValue = Json.GetString(v, "display_value"),
            SystemDefined = Bool(v, "system_defined"),
        };
    }
}
