using System.Collections;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Text.Json;
using ZohoCrm.Tests.Infrastructure;
using ZohoCrm.Cmdlets;
using ZohoCrm.MassUpdate;

namespace ZohoCrm.Tests;

/// <summary>
/// Mass update calls (MassUpdateService): -Data checks, the request bodies, and one result per id whatever order or
/// shape Zoho answers in. HTTP is a scripted handler.
/// </summary>
public class MassUpdateServiceTests
{
    private static string Success(string id) =>
        $"{{\"code\":\"SUCCESS\",\"details\":{{\"id\":\"{id}\",\"Modified_Time\":\"2021-05-12T07:26:48+05:30\",\"Modified_By\":{{\"name\":\"Patricia\",\"id\":\"4150868000000225013\"}}}},\"message\":\"record updated\",\"status\":\"success\"}}";

    private static string Failure(string id, string code = "RECORD_LOCKED", string extra = ",\"action\":\"approval\"") =>
        $"{{\"code\":\"{code}\",\"details\":{{\"id\":\"{id}\"{extra}}},\"message\":\"cannot update\",\"status\":\"error\"}}";

    private static string Data(params string[] items) => "{\"data\":[" + string.Join(",", items) + "]}";

    private static (MassUpdateService Service, FakeHandler Handler) Service(string answer, int status = 200, string module = "Leads")
    {
        var handler = FakeHandler.Always(status, answer);
        return (new MassUpdateService(Fake.Connection(handler), module), handler);
    }

    private static OrderedDictionary Fields(params (string, object?)[] fields)
    {
        var d = new OrderedDictionary();
        foreach (var (k, v) in fields) d[k] = v;
        return d;
    }

    // --- -Data checks -------------------------------------------------------------------------------------------

    [Fact]
    public void One_field_per_mass_update_and_three_in_Deals()
    {
        Assert.Equal(1, MassUpdateService.FieldLimit("Leads"));
        Assert.Equal(3, MassUpdateService.FieldLimit("Deals"));
        Assert.Equal(3, MassUpdateService.FieldLimit("deals"));
        MassUpdateService.ValidateData("Leads", Fields(("Lead_Status", "Contacted")));
        MassUpdateService.ValidateData("Deals", Fields(("Stage", "Won"), ("Amount", 1), ("Probability", 100)));
    }

    [Fact]
    public void Too_many_fields_are_refused_naming_the_limit()
    {
        var ex = Assert.Throws<ZohoValidationException>(() => MassUpdateService.ValidateData("Leads", Fields(("A", 1), ("B", 2))));
        Assert.Equal("ZohoCrm.TooManyFields", ex.Code);
        Assert.Contains("at most 1 field per mass update in Leads", ex.Message);
        ex = Assert.Throws<ZohoValidationException>(() => MassUpdateService.ValidateData("Deals", Fields(("A", 1), ("B", 2), ("C", 3), ("D", 4))));
        Assert.Contains("at most 3 fields", ex.Message);
    }

    [Fact]
    public void No_field_is_refused()
    {
        Assert.Equal("ZohoCrm.NoField", Assert.Throws<ZohoValidationException>(() => MassUpdateService.ValidateData("Leads", new Hashtable())).Code);
        Assert.Equal("ZohoCrm.NoField", Assert.Throws<ZohoValidationException>(() => MassUpdateService.ValidateData("Leads", null!)).Code);
    }

    [Theory]
    [InlineData("Lead Status")]
    [InlineData(" Lead_Status")]
    [InlineData("Lead_Status ")]
    [InlineData("Lead\"Status")]
    [InlineData("Lead'Status")]
    [InlineData("Lead\tStatus")]
    [InlineData("")]
    public void A_key_that_is_not_an_API_name_is_refused(string key)
    {
        var ex = Assert.Throws<ZohoValidationException>(() => MassUpdateService.ValidateData("Leads", Fields((key, 1))));
        Assert.Equal("ZohoCrm.InvalidFieldName", ex.Code);
        Assert.Equal("Data", ex.ParameterName);
    }

    [Fact]
    public void A_wrapped_key_is_accepted_and_a_non_string_key_refused()
    {
        MassUpdateService.ValidateData("Leads", (IDictionary)Cmdlets.PowerShellValues.ToPlain(new Hashtable { [PSObject.AsPSObject("Lead_Status")] = "x" }, true));
        Assert.Equal("ZohoCrm.InvalidFieldName", Assert.Throws<ZohoValidationException>(() => MassUpdateService.ValidateData("Leads", new Hashtable { [42] = "x" })).Code);
    }

    // --- By ids -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task The_request_carries_the_typed_data_over_write_and_the_ids()
    {
        var (service, handler) = Service(Data(Success("1"), Success("2")));
        await service.UpdateByIdsAsync(Fields(("No_of_Employees", 1000)), new[] { "1", "2" }, overWrite: true, CancellationToken.None);
        var seen = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, seen.Method);
        Assert.Equal("https://www.zohoapis.com/crm/v8/Leads/actions/mass_update", seen.Url.ToString());
        Assert.StartsWith("application/json", seen.ContentType);
        Assert.Equal("{\"data\":[{\"No_of_Employees\":1000}],\"over_write\":true,\"ids\":[\"1\",\"2\"]}", seen.Body);
    }

    [Fact]
    public async Task A_module_name_is_escaped_in_the_URL()
    {
        var (service, handler) = Service(Data(Success("1")), module: "Custom_Module1");
        await service.UpdateByIdsAsync(Fields(("F", 1)), new[] { "1" }, false, CancellationToken.None);
        Assert.EndsWith("/crm/v8/Custom_Module1/actions/mass_update", handler.Requests[0].Url.AbsolutePath);
    }

    [Fact]
    public async Task Results_come_one_per_id_in_the_order_given_with_Zoho_details()
    {
        var (service, _) = Service(Data(Success("1"), Failure("2"), Success("3")));
        var results = await service.UpdateByIdsAsync(Fields(("F", 1)), new[] { "1", "2", "3" }, false, CancellationToken.None);
        Assert.Equal(new[] { "1", "2", "3" }, results.Select(r => r.Id));
        Assert.Equal(new[] { "success", "error", "success" }, results.Select(r => r.Status));
        Assert.Equal("SUCCESS", results[0].Code);
        Assert.Equal("Patricia", results[0].ModifiedBy);
        Assert.Equal("4150868000000225013", results[0].ModifiedById);
        Assert.Equal(new DateTimeOffset(2021, 5, 12, 7, 26, 48, TimeSpan.FromHours(5.5)), results[0].ModifiedTime);
        Assert.Null(results[0].Details);
        Assert.Equal("RECORD_LOCKED", results[1].Code);
        Assert.Equal("cannot update", results[1].Message);
        Assert.Equal("action: approval", results[1].Details);
        Assert.All(results, r => Assert.Equal("Leads", r.Module));
    }

    [Fact]
    public async Task Answers_in_another_order_are_matched_by_id()
    {
        var (service, _) = Service(Data(Failure("3"), Success("1"), Success("2")));
        var results = await service.UpdateByIdsAsync(Fields(("F", 1)), new[] { "1", "2", "3" }, false, CancellationToken.None);
        Assert.Equal(new[] { "1", "2", "3" }, results.Select(r => r.Id));
        Assert.Equal(new[] { "success", "success", "error" }, results.Select(r => r.Status));
    }

    [Fact]
    public async Task An_id_Zoho_did_not_answer_for_is_reported_not_dropped()
    {
        var (service, _) = Service(Data(Success("1"), Success("3")));
        var results = await service.UpdateByIdsAsync(Fields(("F", 1)), new[] { "1", "2", "3" }, false, CancellationToken.None);
        Assert.Equal(new[] { "1", "2", "3" }, results.Select(r => r.Id));
        Assert.Equal("error", results[1].Status);
        Assert.Equal("ZohoCrm.NoResult", results[1].Code);
        Assert.Contains("unknown", results[1].Message);
    }

    [Fact]
    public async Task The_same_id_twice_gets_two_results()
    {
        var (service, _) = Service(Data(Success("1"), Success("1")));
        var results = await service.UpdateByIdsAsync(Fields(("F", 1)), new[] { "1", "1" }, false, CancellationToken.None);
        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal("success", r.Status));
    }

    [Fact]
    public async Task An_error_without_an_id_is_about_the_whole_request()
    {
        var (service, _) = Service(Data("{\"code\":\"INVALID_DATA\",\"details\":{\"api_name\":\"Fax\"},\"message\":\"the field cannot be mass updated\",\"status\":\"error\"}"), status: 400);
        var ex = await Assert.ThrowsAsync<ZohoApiException>(() => service.UpdateByIdsAsync(Fields(("Fax", "1")), new[] { "1", "2" }, false, CancellationToken.None));
        Assert.Equal("INVALID_DATA", ex.Code);
        Assert.Equal("Fax", ex.Details["api_name"]);
        Assert.Equal(400, ex.HttpStatus);
    }

    [Fact]
    public async Task For_a_single_id_a_record_error_with_its_id_is_a_result()
    {
        var (service, _) = Service(Data(Failure("7", "NOT_APPROVED", "")));
        var result = Assert.Single(await service.UpdateByIdsAsync(Fields(("F", 1)), new[] { "7" }, false, CancellationToken.None));
        Assert.Equal("error", result.Status);
        Assert.Equal("NOT_APPROVED", result.Code);
    }

    [Fact]
    public async Task A_top_level_error_envelope_is_thrown()
    {
        var (service, _) = Service("{\"code\":\"NO_PERMISSION\",\"details\":{},\"message\":\"permission denied\",\"status\":\"error\"}", status: 403);
        var ex = await Assert.ThrowsAsync<ZohoApiException>(() => service.UpdateByIdsAsync(Fields(("F", 1)), new[] { "1" }, false, CancellationToken.None));
        Assert.Equal(System.Management.Automation.ErrorCategory.PermissionDenied, ex.Category());
        Assert.True(ex.WouldFailEveryBatch);
    }

    [Theory]
    [InlineData("{\"data\":{}}")]
    [InlineData("{\"info\":1}")]
    [InlineData("[]")]
    public async Task An_answer_without_a_data_array_is_unrecognised(string body)
    {
        var (service, _) = Service(body);
        var ex = await Assert.ThrowsAsync<ZohoClientException>(() => service.UpdateByIdsAsync(Fields(("F", 1)), new[] { "1" }, false, CancellationToken.None));
        Assert.Equal("ZohoCrm.UnexpectedResponse", ex.Code);
    }

    [Fact]
    public async Task By_ids_is_retried_after_a_server_error_as_it_is_safe_to_repeat()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(503, "{}"), () => FakeHandler.Json(200, Data(Success("1"))));
        var service = new MassUpdateService(Fake.Connection(handler, retry: Fake.QuickRetry()), "Leads");
        var result = Assert.Single(await service.UpdateByIdsAsync(Fields(("F", 1)), new[] { "1" }, false, CancellationToken.None));
        Assert.Equal("success", result.Status);
        Assert.Equal(2, handler.Calls);
    }

    // --- By custom view -----------------------------------------------------------------------------------------

    [Fact]
    public async Task Scheduling_by_custom_view_sends_the_view_and_territory_and_returns_the_job()
    {
        var (service, handler) = Service(Data("{\"status\":\"success\",\"code\":\"SCHEDULED\",\"message\":\"scheduled\",\"details\":{\"job_id\":\"111000\"}}"), status: 202);
        var job = await service.ScheduleByCustomViewAsync(Fields(("Lead_Status", "Contacted")), "4150868000000087501", "4150868000000231003", includeChild: true, CancellationToken.None);
        Assert.Equal("111000", job.JobId);
        Assert.Equal("SCHEDULED", job.Status);
        Assert.Equal("4150868000000087501", job.CustomViewId);
        Assert.Equal("{\"data\":[{\"Lead_Status\":\"Contacted\"}],\"cvid\":\"4150868000000087501\",\"territory\":{\"id\":\"4150868000000231003\",\"include_child\":true}}",
            handler.Requests[0].Body);
    }

    [Fact]
    public async Task Without_territory_none_is_sent()
    {
        var (service, handler) = Service("{\"status\":\"success\",\"details\":{\"job_id\":\"5\"}}");
        await service.ScheduleByCustomViewAsync(Fields(("Lead_Status", "x")), "9", null!, false, CancellationToken.None);
        Assert.DoesNotContain("territory", handler.Requests[0].Body);
    }

    [Fact]
    public async Task Scheduling_is_not_repeated_after_a_server_error()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(500, "{\"code\":\"INTERNAL_ERROR\",\"message\":\"oops\",\"status\":\"error\"}"), () => FakeHandler.Json(200, "{}"));
        var service = new MassUpdateService(Fake.Connection(handler, retry: Fake.QuickRetry()), "Leads");
        var ex = await Assert.ThrowsAsync<ZohoApiException>(() => service.ScheduleByCustomViewAsync(Fields(("F", 1)), "9", null!, false, CancellationToken.None));
        Assert.Equal("INTERNAL_ERROR", ex.Code);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task ALREADY_SCHEDULED_in_an_HTTP_202_answer_is_an_error()
    {
        // The seeds' body (top level, not in data[]) with the status Zoho's docs give it (zoho-api.md section 5).
        var (service, _) = Service("{\"code\":\"ALREADY_SCHEDULED\",\"details\":{\"api_name\":\"cvid\"},\"message\":\"Already an Mass Action scheduler is runing for the given cvid\",\"status\":\"error\"}", 202);
        var ex = await Assert.ThrowsAsync<ZohoApiException>(() => service.ScheduleByCustomViewAsync(Fields(("F", 1)), "9", null!, false, CancellationToken.None));
        Assert.Equal("ALREADY_SCHEDULED", ex.Code);
        Assert.Equal(202, ex.HttpStatus);
        Assert.Equal(System.Management.Automation.ErrorCategory.ResourceBusy, ex.Category());
    }

    [Fact]
    public async Task A_job_state_is_read_with_its_counts()
    {
        var (service, handler) = Service(Data("{\"Status\":\"Completed\",\"Total_Count\":10,\"Updated_Count\":8,\"Not_Updated_Count\":0,\"Failed_Count\":2}"));
        var job = await service.GetJobAsync("111000", "9", CancellationToken.None);
        Assert.Equal("https://www.zohoapis.com/crm/v8/Leads/actions/mass_update?job_id=111000", handler.Requests[0].Url.ToString());
        Assert.Equal("COMPLETED", job.Status);
        Assert.True(job.IsFinished);
        Assert.Equal((10L, 8L, 0L, 2L), (job.TotalCount!.Value, job.UpdatedCount!.Value, job.NotUpdatedCount!.Value, job.FailedCount!.Value));
        Assert.Equal("9", job.CustomViewId);
    }

    [Theory]
    [InlineData("COMPLETED", true)]
    [InlineData("failed", true)]
    [InlineData("SCHEDULED", false)]
    [InlineData("RUNNING", false)]
    [InlineData("QUEUED", false)]
    [InlineData(null, false)]
    public void Only_COMPLETED_and_FAILED_are_final(string? status, bool final) => Assert.Equal(final, MassUpdateJob.IsFinal(status!));
}
