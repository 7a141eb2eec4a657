using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using ZohoCrm.Emulator;

namespace ZohoCrm.Tests;

/// <summary>
/// The metadata endpoints (settings/modules, settings/fields, settings/custom_views: zoho-api.md section 5), all read
/// from ZohoSchema, and the schema's rules mass update and bulk write honour: read-only fields, picklist values.
/// </summary>
public class EmulatorMetadataTests
{
    /// <summary>A call with the static token (<paramref name="auth"/>) or none, through EmulatorFidelityTests' helpers.</summary>
    private static Task<(int Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string path, string? json = null, bool auth = true) =>
        EmulatorFidelityTests.SendAsync(http, auth ? EmulatorFidelityTests.Api(method, path, json: json) : new HttpRequestMessage(method, path));

    private static Task<(int Status, string Body)> GetAsync(HttpClient http, string path) => SendAsync(http, HttpMethod.Get, path);

    [Fact]
    public async Task Settings_modules_lists_every_schema_module_with_a_stable_id()
    {
        await using var host = await EmulatorHost.StartAsync();
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        var (status, body) = await GetAsync(http, "/crm/v8/settings/modules");
        Assert.Equal(200, status);
        var modules = JsonNode.Parse(body)!["modules"]!.AsArray();
        Assert.Equal(ZohoSchema.CreateModules().Select(m => m.ApiName), modules.Select(m => m!["api_name"]!.GetValue<string>()));
        Assert.Equal("{\"api_name\":\"Leads\",\"module_name\":\"Leads\",\"singular_label\":\"Lead\",\"plural_label\":\"Leads\",\"id\":\"738964000000002175\","
            + "\"api_supported\":true,\"creatable\":true,\"editable\":true,\"deletable\":true,\"viewable\":true,\"generated_type\":\"default\"}",
            modules[0]!.ToJsonString());
        Assert.All(modules, m => Assert.Matches("^[0-9]{18}$", m!["id"]!.GetValue<string>()));
        Assert.Equal(modules.Count, modules.Select(m => m!["id"]!.GetValue<string>()).Distinct().Count());

        await using var other = await EmulatorHost.StartAsync();
        using var otherHttp = new HttpClient { BaseAddress = other.BaseUrl };
        Assert.Equal(body, (await GetAsync(otherHttp, "/crm/v2/settings/modules")).Body);
        Assert.Equal(("GET", "/crm/v8/settings/modules", 200), (host.State.Requests[^1].Method, host.State.Requests[^1].Path, host.State.Requests[^1].StatusCode));
    }

    [Fact]
    public async Task Settings_fields_reports_what_the_schema_holds()
    {
        await using var host = await EmulatorHost.StartAsync();
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        foreach (var module in ZohoSchema.CreateModules())
        {
            var (status, body) = await GetAsync(http, "/crm/v8/settings/fields?module=" + module.ApiName);
            Assert.True(status == 200, body);
            var fields = JsonNode.Parse(body)!["fields"]!.AsArray();
            Assert.Equal(module.Fields.Select(f => f.ApiName), fields.Select(f => f!["api_name"]!.GetValue<string>()));
            foreach (var (schema, json) in module.Fields.Zip(fields, (s, j) => (s, j!.AsObject())))
            {
                string at = $"{module.ApiName}.{schema.ApiName}";
                Assert.True(schema.DataType == json["data_type"]!.GetValue<string>(), at);
                Assert.True(schema.ReadOnly == json["read_only"]!.GetValue<bool>(), at);
                Assert.True(schema.ReadOnly == json["field_read_only"]!.GetValue<bool>(), at);
                Assert.True(schema.Mandatory == json["system_mandatory"]!.GetValue<bool>(), at);
                Assert.True(json["visible"]!.GetValue<bool>(), at);
                Assert.True((schema.Unique ? "{\"casesensitive\":\"false\"}" : "{}") == json["unique"]!.ToJsonString(), at);
                Assert.True((schema.Type is FieldType.Picklist or FieldType.MultiSelectPicklist) == json.ContainsKey("pick_list_values"), at);
                if (json["pick_list_values"] is JsonArray values)
                    Assert.True((schema.Values ?? []).SequenceEqual(values.Select(v => v!["actual_value"]!.GetValue<string>())), at);
                Assert.True((schema.Type == FieldType.Lookup) == json.ContainsKey("lookup"), at);
                Assert.Matches("^[0-9]{18}$", json["id"]!.GetValue<string>());
            }
            Assert.Equal(fields.Count, fields.Select(f => f!["id"]!.GetValue<string>()).Distinct().Count());
        }

        var leads = JsonNode.Parse((await GetAsync(http, "/crm/v8/settings/fields?module=Leads")).Body)!["fields"]!.AsArray()
            .ToDictionary(f => f!["api_name"]!.GetValue<string>(), f => f!.ToJsonString());
        Assert.Equal("{\"api_name\":\"Owner\",\"field_label\":\"Owner\",\"display_label\":\"Owner\",\"id\":\"738964000021750001\",\"data_type\":\"ownerlookup\","
            + "\"json_type\":\"jsonobject\",\"read_only\":false,\"field_read_only\":false,\"system_mandatory\":false,\"visible\":true,\"unique\":{},"
            + "\"lookup\":{\"module\":{\"api_name\":\"users\",\"id\":\"738964000000002001\"}}}", leads["Owner"]);
        Assert.Equal("{\"api_name\":\"Email\",\"field_label\":\"Email\",\"display_label\":\"Email\",\"id\":\"738964000021750005\",\"data_type\":\"email\","
            + "\"json_type\":\"string\",\"read_only\":false,\"field_read_only\":false,\"system_mandatory\":false,\"visible\":true,"
            + "\"unique\":{\"casesensitive\":\"false\"},\"length\":100}", leads["Email"]);
        Assert.Equal("{\"api_name\":\"Full_Name\",\"field_label\":\"Full Name\",\"display_label\":\"Full Name\",\"id\":\"738964000021750020\",\"data_type\":\"text\","
            + "\"json_type\":\"string\",\"read_only\":true,\"field_read_only\":true,\"system_mandatory\":false,\"visible\":true,\"unique\":{},\"length\":255}", leads["Full_Name"]);
        Assert.StartsWith("{\"api_name\":\"Rating\",", leads["Rating"]);
        Assert.Contains("\"pick_list_values\":[{\"display_value\":\"Acquired\",\"actual_value\":\"Acquired\",\"id\":\"738964002175012001\"},", leads["Rating"]);
        Assert.Contains("\"json_type\":\"jsonarray\"", leads["Interests"]);
        Assert.Contains("\"pick_list_values\":[]", leads["Industry"]);
        Assert.Contains("\"data_type\":\"lookup\",\"json_type\":\"jsonobject\"", leads["Layout"]);
        Assert.EndsWith("\"lookup\":{\"module\":{\"api_name\":\"Layouts\",\"id\":\"738964000000002003\"}}}", leads["Layout"]);
        Assert.Contains("\"api_name\":\"Last_Name\"", leads["Last_Name"]);
        Assert.Contains("\"system_mandatory\":true", leads["Last_Name"]);
    }

    [Fact]
    public async Task Settings_custom_views_lists_the_schema_views_of_the_module()
    {
        await using var host = await EmulatorHost.StartAsync();
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        var (status, body) = await GetAsync(http, "/crm/v8/settings/custom_views?module=Leads");
        Assert.Equal(200, status);
        Assert.Equal("{\"custom_views\":["
            + "{\"id\":\"738964000000091563\",\"name\":\"All Leads\",\"display_value\":\"All Leads\",\"system_name\":\"ALLVIEWS\",\"system_defined\":true,\"category\":\"public_views\"},"
            + "{\"id\":\"738964000000091570\",\"name\":\"Not Contacted Leads\",\"display_value\":\"Not Contacted Leads\",\"system_name\":\"NOTCONTACTED\",\"system_defined\":true,\"category\":\"public_views\"},"
            + "{\"id\":\"738964000000091999\",\"name\":\"Empty View\",\"display_value\":\"Empty View\",\"system_name\":null,\"system_defined\":false,\"category\":\"public_views\"}],"
            + "\"info\":{\"per_page\":200,\"count\":3,\"page\":1,\"more_records\":false}}", body);
        foreach (var module in ZohoSchema.CreateModules())
        {
            var views = JsonNode.Parse((await GetAsync(http, "/crm/v8/settings/custom_views?module=" + module.ApiName)).Body)!;
            var expected = ZohoSchema.CreateCustomViews().Where(v => v.Module == module.ApiName).Select(v => v.Id).ToArray();
            Assert.Equal(expected, views["custom_views"]!.AsArray().Select(v => v!["id"]!.GetValue<string>()));
            Assert.Equal(expected.Length, views["info"]!["count"]!.GetValue<int>());
        }
    }

    [Theory]
    [InlineData("fields")]
    [InlineData("custom_views")]
    public async Task Settings_by_module_refuses_a_missing_or_unknown_module(string what)
    {
        await using var host = await EmulatorHost.StartAsync();
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        Assert.Equal((400, "{\"code\":\"REQUIRED_PARAM_MISSING\",\"details\":{\"param\":\"module\"},\"message\":\"One of the expected parameter is missing\",\"status\":\"error\"}"),
            await GetAsync(http, $"/crm/v8/settings/{what}"));
        Assert.Equal((400, "{\"code\":\"REQUIRED_PARAM_MISSING\",\"details\":{\"param\":\"module\"},\"message\":\"One of the expected parameter is missing\",\"status\":\"error\"}"),
            await GetAsync(http, $"/crm/v8/settings/{what}?module="));
        var invalidModule = await GetAsync(http, "/crm/v8/Nope?fields=Last_Name");
        Assert.Equal(400, invalidModule.Status);
        Assert.Equal(invalidModule, await GetAsync(http, $"/crm/v8/settings/{what}?module=Nope"));
        Assert.Contains("\"code\":\"INVALID_MODULE\"", invalidModule.Body);
        Assert.Contains("\"message\":\"the module name given seems to be invalid\"", invalidModule.Body);
        Assert.Equal(400, (await SendAsync(http, HttpMethod.Post, $"/crm/v8/settings/{what}?module=Leads", "{}")).Status);
        Assert.Equal(401, (await SendAsync(http, HttpMethod.Get, $"/crm/v8/settings/{what}?module=Leads", auth: false)).Status);
    }

    [Fact]
    public async Task Without_the_settings_scope_the_settings_endpoints_are_OAUTH_SCOPE_MISMATCH_and_the_rest_unchanged()
    {
        const string Expected = "{\"code\":\"OAUTH_SCOPE_MISMATCH\",\"details\":{},\"message\":\"invalid oauth scope to access this URL\",\"status\":\"error\"}";
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { NoSettingsScope = true });
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        foreach (var path in new[] { "/crm/v8/settings/modules", "/crm/v8/settings/fields?module=Leads", "/crm/v8/settings/custom_views?module=Leads",
                     "/crm/v8/settings/fields", "/crm/v8/settings/custom_views?module=Nope" })
            Assert.Equal((401, Expected), await GetAsync(http, path));
        Assert.Equal(200, (await GetAsync(http, "/crm/v8/org")).Status);
        Assert.Equal(200, (await GetAsync(http, "/crm/v8/Leads?ids=738964000002131001&fields=Last_Name")).Status);
        Assert.Contains("AUTHENTICATION_FAILURE", (await SendAsync(http, HttpMethod.Get, "/crm/v8/settings/modules", auth: false)).Body);
        Assert.Equal(401, host.State.Requests[0].StatusCode);
    }

    /// <summary>Zoho's rules (zoho-api.md section 3): no mass update of lookups, layout, multi-line, Email, read-only fields.</summary>
    [Fact]
    public void Schema_fields_are_mass_updatable_exactly_when_Zoho_allows_it()
    {
        string[] notMassUpdatable = ["lookup", "ownerlookup", "textarea", "email"];
        foreach (var module in ZohoSchema.CreateModules())
            foreach (var f in module.Fields)
                Assert.True(f.MassUpdatable == !(notMassUpdatable.Contains(f.DataType) || f.ReadOnly), $"{module.ApiName}.{f.ApiName}");
        var modules = ZohoSchema.CreateModules().ToDictionary(m => m.ApiName);
        foreach (var m in new[] { "Leads", "Contacts" })
            Assert.True(modules[m].Field(ZohoSchema.FullName) is { ReadOnly: true, MassUpdatable: false, Type: FieldType.Text });
        Assert.Equal(ZohoSchema.RatingValues, modules["Leads"].Field("Rating")!.Values);
        Assert.Equal(ZohoSchema.LeadStatusValues, modules["Leads"].Field("Lead_Status")!.Values);
        Assert.Equal(ZohoSchema.StageValues, modules["Deals"].Field("Stage")!.Values);
        Assert.Null(modules["Leads"].Field("Industry")!.Values);
        Assert.Null(modules["Leads"].Field("Lead_Source")!.Values);
        Assert.Null(modules["Leads"].Field("Interests")!.Values);
        // The values the seed data stores are in the lists.
        Assert.All(new EmulatorState(new EmulatorOptions { GeneratedLeadCount = 3 }).Modules.Values, m =>
            Assert.All(m.Records, r => Assert.All(m.Schema.Fields.Where(f => f.Values is not null), f =>
                Assert.True(r.Fields[f.ApiName] is not string s || f.Allows(s), $"{m.Schema.ApiName}.{f.ApiName} = {r.Fields[f.ApiName]}"))));
    }

    [Fact]
    public async Task Mass_update_refuses_a_read_only_field_and_a_value_outside_the_picklist_and_keeps_Full_Name_current()
    {
        const string Seed1 = "738964000002131001";
        await using var host = await EmulatorHost.StartAsync();
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        Task<(int, string)> MassUpdate(string module, string data) =>
            SendAsync(http, HttpMethod.Post, $"/crm/v8/{module}/actions/mass_update", $"{{\"data\":[{data}],\"ids\":[\"{Seed1}\"]}}");

        Assert.Equal((200, "{\"data\":[{\"code\":\"INVALID_DATA\",\"details\":{\"api_name\":\"Full_Name\"},\"message\":\"This field cannot be updated in the Mass Update\",\"status\":\"error\"}]}"),
            await MassUpdate("Leads", "{\"Full_Name\":\"Someone Else\"}"));
        Assert.Equal((200, "{\"data\":[{\"code\":\"INVALID_DATA\",\"details\":{\"api_name\":\"Rating\",\"expected_data_type\":\"text\"},\"message\":\"invalid data\",\"status\":\"error\"}]}"),
            await MassUpdate("Leads", "{\"Rating\":\"Lukewarm\"}"));
        Assert.Contains("\"api_name\":\"Stage\"", (await MassUpdate("Deals", "{\"Stage\":\"Won\"}")).Item2);
        Assert.Contains("\"api_name\":\"Lead_Status\"", (await MassUpdate("Leads", "{\"Lead_Status\":\"contacted\"}")).Item2);

        Assert.Contains("record updated", (await MassUpdate("Leads", "{\"Rating\":\"Warm\"}")).Item2);
        Assert.Contains("record updated", (await MassUpdate("Leads", "{\"Industry\":\"Anything at all\"}")).Item2);
        Assert.Contains("record updated", (await MassUpdate("Leads", "{\"Interests\":[\"Whatever\"]}")).Item2);
        Assert.Contains("record updated", (await MassUpdate("Leads", "{\"Rating\":null}")).Item2);
        var before = host.State.GetRecord("Leads", Seed1)!;
        Assert.Equal($"{before["First_Name"]} {before["Last_Name"]}", before["Full_Name"]);
        Assert.Contains("record updated", (await MassUpdate("Leads", "{\"First_Name\":\"Renamed\"}")).Item2);
        Assert.Equal($"Renamed {before["Last_Name"]}", host.State.GetRecord("Leads", Seed1)!["Full_Name"]);
    }

    [Fact]
    public async Task Bulk_write_refuses_a_read_only_column_and_a_value_outside_the_picklist_row_by_row()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(10) });
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        const string Csv = "Last_Name,Email,Rating,Full_Name,First_Name,Industry\r\n"
            + "Ro,ro@example.com,Hot,Given Name,Al,\r\n"
            + "Pick,pick@example.com,Lukewarm,,Bo,\r\n"
            + "Good,good@example.com,Cold,,Cy,Whatever\r\n"
            + "Solo,solo@example.com,,,,\r\n";
        var details = await EmulatorFidelityTests.WaitForEndAsync(http, await EmulatorFidelityTests.CreateLeadsInsertAsync(http, Csv));
        string url = details["result"]!["download_url"]!.GetValue<string>();
        string text;
        using (var zip = new ZipArchive(new MemoryStream(await http.GetByteArrayWithTokenAsync(url)), ZipArchiveMode.Read))
        using (var reader = new StreamReader(zip.Entries.Single().Open()))
            text = await reader.ReadToEndAsync();
        var rows = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(("skipped", "INVALID_DATA-Full_Name"), (rows[0][3], rows[0][5]));
        Assert.Equal(("skipped", "INVALID_DATA-Rating"), (rows[1][3], rows[1][5]));
        Assert.Equal(("added", ""), (rows[2][3], rows[2][5]));
        Assert.Equal(("added", ""), (rows[3][3], rows[3][5]));
        var good = host.State.GetRecord("Leads", rows[2][4])!;
        Assert.Equal(("Cy Good", "Cold", "Whatever"), (good["Full_Name"], good["Rating"], good["Industry"]));
        Assert.Equal("Solo", host.State.GetRecord("Leads", rows[3][4])!["Full_Name"]);
    }
}
