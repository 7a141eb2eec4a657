using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.Http;

namespace ZohoCrm.MassUpdate
{
    /// <summary>Mass update calls: by record ids (immediate, up to 500 a call) and by custom view (a scheduled job).</summary>
    internal sealed class MassUpdateService
    {
        public const int MaxIdsPerCall = 500;
        private readonly Connection _connection;
        private readonly string _module;

        public MassUpdateService(Connection connection, string module)
        {
            _connection = connection;
            _module = InputRules.RequireModuleName(module, "Module");
        }

        /// <summary>How many fields one mass update may set: 1, or 3 in Deals.</summary>
        public static int FieldLimit(string module) => string.Equals(module, "Deals", StringComparison.OrdinalIgnoreCase) ? 3 : 1;

        /// <summary>Checks -Data before anything is sent: at least one field, no more than Zoho allows, names that are field names.</summary>
        public static void ValidateData(string module, IDictionary data)
        {
            if (data == null || data.Count == 0)
                throw new ZohoValidationException("ZohoCrm.NoField",
                    "-Data has no field. Give the field's API name and its new value, e.g. -Data @{ No_of_Employees = 1000 }.", "Data");
            int limit = FieldLimit(module);
            if (data.Count > limit)
                throw new ZohoValidationException("ZohoCrm.TooManyFields",
                    $"-Data has {data.Count} fields ({string.Join(", ", data.Keys.Cast<object>())}); Zoho updates at most {limit} field{(limit == 1 ? "" : "s")} per mass update in {module}. Run one mass update per field.", "Data");
            foreach (var key in data.Keys)
            {
                string name = key as string;
                if (string.IsNullOrWhiteSpace(name))
                    throw new ZohoValidationException("ZohoCrm.InvalidFieldName", $"-Data has a key that is not a field API name: '{key}'.", "Data");
                if (!InputRules.IsFieldName(name))
                    throw new ZohoValidationException("ZohoCrm.InvalidFieldName", $"-Data key {InputRules.Show(name)} is not a field API name: API names are letters, digits and underscores, with no spaces or quotes (e.g. No_of_Employees, Lead_Status).", "Data");
            }
        }

        private Uri Endpoint(string query = null) =>
            _connection.CrmUrl(Uri.EscapeDataString(_module) + "/actions/mass_update" + (query ?? ""));

        private static void WriteData(Utf8JsonWriter w, string dataJson)
        {
            w.WritePropertyName("data");
            w.WriteStartArray();
            w.WriteRawValue(dataJson);
            w.WriteEndArray();
        }

        /// <summary>
        /// Updates one batch of ids and returns exactly one result per id, in the order given. A request-level
        /// error (Zoho refused the whole call) is thrown as <see cref="ZohoApiException"/>.
        /// </summary>
        public Task<List<MassUpdateResult>> UpdateByIdsAsync(IDictionary data, IReadOnlyList<string> ids, bool overWrite, CancellationToken ct) =>
            UpdateByIdsAsync(DataJson(data), ids, overWrite, ct);

        /// <summary>
        /// The field values as the JSON object sent in data[0], serialised once: a run keeps this text, so a resume
        /// sends the same values byte for byte. A value JSON cannot carry fails here, before any request.
        /// </summary>
        public static string DataJson(IDictionary data)
        {
            var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                foreach (DictionaryEntry entry in data)
                {
                    string name = entry.Key.ToString();
                    w.WritePropertyName(name);
                    Json.WriteValue(w, entry.Value, name);
                }
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        /// <summary>As above, with the field values already serialised (<see cref="DataJson"/>).</summary>
        public async Task<List<MassUpdateResult>> UpdateByIdsAsync(string dataJson, IReadOnlyList<string> ids, bool overWrite, CancellationToken ct)
        {
            var body = Json.Body(w =>
            {
                WriteData(w, dataJson);
                w.WriteBoolean("over_write", overWrite);
                w.WritePropertyName("ids");
                w.WriteStartArray();
                foreach (var id in ids) w.WriteStringValue(id);
                w.WriteEndArray();
            });
            // Setting the same values again changes nothing, so a failed call may be repeated.
            var response = await _connection.Client.SendAsync(new ZohoRequest(HttpMethod.Post, Endpoint()) { Content = body, Idempotent = true }, ct).ConfigureAwait(false);
            using (var doc = response.EnsureSuccess())
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var items) || items.ValueKind != JsonValueKind.Array)
                    throw response.Unrecognised();
                var elements = items.EnumerateArray().ToList();
                // An error with no record id, in an answer that is not one element per id, is about the whole request
                // (no field, a field that cannot be mass updated...). With one element per id it is that record's error.
                if (elements.Count != ids.Count || ids.Count == 1)
                {
                    foreach (var e in elements)
                    {
                        bool hasId = IdOf(e) != null;
                        if (!hasId && string.Equals(Json.GetString(e, "status"), "error", StringComparison.OrdinalIgnoreCase))
                            throw ZohoErrors.FromEnvelope(e, response.StatusCode, response.Request);
                    }
                }
                return Match(ids, elements, new Dictionary<string, string>());
            }
        }

        /// <summary>Pairs Zoho's answers with the ids sent: by position when the counts agree and the ids match, else by id.</summary>
        /// <param name="redacted">Zoho's texts already redacted in this answer (most of its 500 messages are the same "record updated").</param>
        private List<MassUpdateResult> Match(IReadOnlyList<string> ids, List<JsonElement> elements, Dictionary<string, string> redacted)
        {
            var results = new List<MassUpdateResult>(ids.Count);
            bool positional = elements.Count == ids.Count && elements.Select(IdOf).Zip(ids, (a, b) => a == null || a == b).All(x => x);
            if (positional)
            {
                for (int i = 0; i < ids.Count; i++) results.Add(ToResult(ids[i], elements[i], redacted));
                return results;
            }
            var byId = new Dictionary<string, Queue<JsonElement>>();
            foreach (var e in elements)
            {
                string id = IdOf(e);
                if (id == null) continue;
                if (!byId.TryGetValue(id, out var q)) byId[id] = q = new Queue<JsonElement>();
                q.Enqueue(e);
            }
            foreach (var id in ids)
            {
                if (byId.TryGetValue(id, out var q) && q.Count > 0) results.Add(ToResult(id, q.Dequeue(), redacted));
                else results.Add(new MassUpdateResult
                {
                    Module = _module, Id = id, Status = "error", Code = "ZohoCrm.NoResult",
                    Message = "Zoho's answer had no result for this id; its state is unknown: check the record.",
                });
            }
            return results;
        }

        private static string Redacted(string text, Dictionary<string, string> done)
        {
            if (text == null) return null;
            if (!done.TryGetValue(text, out var r)) done[text] = r = Redactor.Redact(text);
            return r;
        }

        private static string IdOf(JsonElement e)
        {
            var d = Json.GetObject(e, "details");
            return d.HasValue ? Json.GetString(d.Value, "id") : null;
        }

        private MassUpdateResult ToResult(string id, JsonElement e, Dictionary<string, string> redacted)
        {
            var details = Json.GetObject(e, "details");
            var r = new MassUpdateResult
            {
                Module = _module,
                Id = id,
                Status = (Json.GetString(e, "status") ?? "error").ToLowerInvariant(),
                Code = Json.GetString(e, "code"),
                // Zoho's text, redacted as error messages are (a server may echo a token in it).
                Message = Redacted(Json.GetString(e, "message"), redacted),
            };
            if (details.HasValue)
            {
                var d = details.Value;
                r.ErrorField = Json.GetString(d, "api_name");
                r.ModifiedTime = Json.GetDate(d, "Modified_Time");
                r.CreatedTime = Json.GetDate(d, "Created_Time");
                var mb = Json.GetObject(d, "Modified_By");
                if (mb.HasValue) { r.ModifiedBy = Json.GetString(mb.Value, "name"); r.ModifiedById = Json.GetString(mb.Value, "id"); }
                var cb = Json.GetObject(d, "Created_By");
                if (cb.HasValue) { r.CreatedBy = Json.GetString(cb.Value, "name"); r.CreatedById = Json.GetString(cb.Value, "id"); }
                if (r.Status != "success")
                {
                    var rest = Json.ToHashtable(d);
                    foreach (var k in new[] { "id", "api_name" }) rest.Remove(k);
                    r.Details = rest.Count == 0 ? null : Redactor.Redact(ZohoErrors.FormatDetails(rest));
                }
            }
            return r;
        }

        /// <summary>Schedules a mass update of every record in a custom view; returns the job.</summary>
        public async Task<MassUpdateJob> ScheduleByCustomViewAsync(IDictionary data, string customViewId, string territoryId, bool includeChild, CancellationToken ct)
        {
            var body = Json.Body(w =>
            {
                WriteData(w, DataJson(data));
                w.WriteString("cvid", customViewId);
                if (territoryId != null)
                {
                    w.WritePropertyName("territory");
                    w.WriteStartObject();
                    w.WriteString("id", territoryId);
                    w.WriteBoolean("include_child", includeChild);
                    w.WriteEndObject();
                }
            });
            // Not idempotent: a repeated call could schedule a second job.
            var response = await _connection.Client.SendAsync(new ZohoRequest(HttpMethod.Post, Endpoint()) { Content = body }, ct).ConfigureAwait(false);
            using (var doc = response.EnsureSuccess(FirstData))
            {
                var element = FirstData(doc.RootElement) ?? doc.RootElement;
                var details = Json.GetObject(element, "details");
                string jobId = details.HasValue ? Json.GetString(details.Value, "job_id") : null;
                if (jobId == null) throw response.Unrecognised();
                return new MassUpdateJob { Module = _module, JobId = jobId, CustomViewId = customViewId, Status = "SCHEDULED" };
            }
        }

        public async Task<MassUpdateJob> GetJobAsync(string jobId, string customViewId, CancellationToken ct)
        {
            var url = Endpoint("?job_id=" + Uri.EscapeDataString(InputRules.RequireZohoId(jobId, "JobId")));
            var response = await _connection.Client.SendAsync(new ZohoRequest(HttpMethod.Get, url) { Idempotent = true }, ct).ConfigureAwait(false);
            using (var doc = response.EnsureSuccess(FirstData))
            {
                var element = FirstData(doc.RootElement) ?? doc.RootElement;
                string status = Json.GetString(element, "Status");
                if (status == null) throw response.Unrecognised();
                return new MassUpdateJob
                {
                    Module = _module,
                    JobId = jobId,
                    CustomViewId = customViewId,
                    Status = status.ToUpperInvariant(),
                    TotalCount = Json.GetInt64(element, "Total_Count"),
                    UpdatedCount = Json.GetInt64(element, "Updated_Count"),
                    NotUpdatedCount = Json.GetInt64(element, "Not_Updated_Count"),
                    FailedCount = Json.GetInt64(element, "Failed_Count"),
                };
            }
        }

        /// <summary>Polls until the job is COMPLETED or FAILED, reporting each state; throws on timeout.</summary>
        public Task<MassUpdateJob> WaitAsync(MassUpdateJob job, TimeSpan? timeout, Action<MassUpdateJob> report, CancellationToken ct) =>
            Polling.UntilAsync(c => GetJobAsync(job.JobId, job.CustomViewId, c), j => j.IsFinished, report, timeout,
                current => new WaitTimeoutException(current, $"Mass update job {current.JobId} in {_module} is still {current.Status} after {timeout.Value.TotalSeconds:0} s. It goes on in Zoho: check it later with Get-ZcrmMassUpdateJob -Module {_module} -JobId {current.JobId}."),
                ct);

        private static JsonElement? FirstData(JsonElement root) =>
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Array && d.GetArrayLength() > 0
                ? d[0] : (JsonElement?)null;

    }
}
