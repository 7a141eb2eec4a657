using System.Collections;
using System.Management.Automation;
using System.Text.Json;
using ZohoCrm.Cmdlets;
using ZohoCrm.Http;

namespace ZohoCrm.Tests;

/// <summary>Zoho's error envelope (ZohoErrors.FromEnvelope), the error text users see, and the category mapping.</summary>
public class ZohoErrorsTests
{
    private const string Request = "POST https://www.zohoapis.com/crm/v8/Leads/actions/mass_update";

    private static ZohoApiException? Read(string json, int status = 400, string? prefix = null)
    {
        using var doc = JsonDocument.Parse(json);
        return ZohoErrors.FromEnvelope(doc.RootElement, status, Request, prefix);
    }

    [Fact]
    public void The_envelope_gives_code_message_details_status_and_request()
    {
        var ex = Read("{\"code\":\"INVALID_DATA\",\"details\":{\"api_name\":\"Email\",\"expected_data_type\":\"email\"},\"message\":\"invalid data\",\"status\":\"error\"}");
        Assert.NotNull(ex);
        Assert.Equal("INVALID_DATA", ex.Code);
        Assert.Equal("invalid data", ex.ZohoMessage);
        Assert.Equal(400, ex.HttpStatus);
        Assert.Equal(Request, ex.Request);
        Assert.Equal("Email", ex.Details["api_name"]);
        Assert.Equal("email", ex.Details["EXPECTED_DATA_TYPE"]); // keys are case-insensitive, as in PowerShell
        Assert.Equal(ErrorCategory.InvalidArgument, ex.Category());
        Assert.Equal($"Zoho answered INVALID_DATA: invalid data (api_name: Email; expected_data_type: email) [HTTP 400, {Request}]", ex.Message);
    }

    [Fact]
    public void An_error_in_an_HTTP_2xx_body_is_still_an_error()
    {
        // Zoho's docs give ALREADY_SCHEDULED (mass update by custom view) HTTP 202 (zoho-api.md section 5; the seeds: 400).
        var ex = Read("{\"code\":\"ALREADY_SCHEDULED\",\"details\":{},\"message\":\"A mass update is already scheduled.\",\"status\":\"error\"}", status: 202);
        Assert.NotNull(ex);
        Assert.Equal("ALREADY_SCHEDULED", ex.Code);
        Assert.Equal(202, ex.HttpStatus);
        Assert.Equal(ErrorCategory.ResourceBusy, ex.Category());
        Assert.Equal($"Zoho answered ALREADY_SCHEDULED: A mass update is already scheduled [HTTP 202, {Request}]", ex.Message);
    }

    [Theory]
    [InlineData("{\"code\":\"SUCCESS\",\"details\":{\"id\":\"1\"},\"message\":\"updated\",\"status\":\"success\"}")]
    [InlineData("{\"data\":[{\"status\":\"error\",\"code\":\"INVALID_DATA\"}]}")]
    [InlineData("{\"code\":\"INVALID_DATA\",\"message\":\"no status\"}")]
    [InlineData("[{\"status\":\"error\"}]")]
    [InlineData("\"error\"")]
    [InlineData("null")]
    public void A_body_that_is_not_an_error_envelope_gives_null(string json) => Assert.Null(Read(json));

    [Fact]
    public void The_status_is_read_ignoring_case_and_a_missing_code_is_UNKNOWN_ERROR()
    {
        var ex = Read("{\"status\":\"ERROR\",\"message\":\"something\"}", status: 500);
        Assert.NotNull(ex);
        Assert.Equal("UNKNOWN_ERROR", ex.Code);
        Assert.Equal(ErrorCategory.ConnectionError, ex.Category());
        Assert.Empty(ex.Details);
    }

    [Fact]
    public void A_numeric_code_is_read_as_text()
    {
        var ex = Read("{\"status\":\"error\",\"code\":4000,\"message\":\"x\"}");
        Assert.Equal("4000", ex!.Code);
    }

    [Fact]
    public void Details_keep_JSON_types_and_nested_values()
    {
        var ex = Read("{\"code\":\"LIMIT_EXCEEDED\",\"details\":{\"limit\":500,\"ratio\":0.5,\"locked\":true,\"ids\":[\"1\",\"2\"],\"by\":{\"id\":\"9\"},\"none\":null},\"message\":\"too many\",\"status\":\"error\"}");
        Assert.NotNull(ex);
        Assert.Equal(500L, ex.Details["limit"]);
        Assert.Equal(0.5, ex.Details["ratio"]);
        Assert.Equal(true, ex.Details["locked"]);
        Assert.Equal(new object[] { "1", "2" }, (object[])ex.Details["ids"]!);
        Assert.Equal("9", ((Hashtable)ex.Details["by"]!)["id"]);
        Assert.True(ex.Details.Contains("none"));
        Assert.Equal(ErrorCategory.LimitsExceeded, ex.Category());
        Assert.Contains("(limit: 500; by: {id: 9}; ids: [1, 2]; locked: True; none: null; ratio: 0.5)", ex.Message);
    }

    [Fact]
    public void A_prefix_comes_first_and_a_message_loses_its_final_period()
    {
        var ex = Read("{\"code\":\"NO_PERMISSION\",\"message\":\"permission denied.\",\"status\":\"error\"}", status: 403, prefix: "Cannot update the batch:");
        Assert.Equal($"Cannot update the batch: Zoho answered NO_PERMISSION: permission denied [HTTP 403, {Request}]", ex!.Message);
        Assert.Equal(ErrorCategory.PermissionDenied, ex.Category());
    }

    [Fact]
    public void Details_are_ordered_with_the_most_useful_keys_first()
    {
        var details = new Hashtable { ["zeta"] = 1, ["id"] = "7", ["reason"] = "locked", ["api_name"] = "Email", ["alpha"] = "a", ["json_path"] = "$.data[0]" };
        Assert.Equal("api_name: Email; json_path: $.data[0]; reason: locked; id: 7; alpha: a; zeta: 1", ZohoErrors.FormatDetails(details));
        Assert.Equal("", ZohoErrors.FormatDetails(new Hashtable()));
        Assert.Equal("", ZohoErrors.FormatDetails(null!));
    }

    [Theory]
    [InlineData("AUTHENTICATION_FAILURE", 401, ErrorCategory.AuthenticationError)]
    [InlineData("INVALID_TOKEN", 401, ErrorCategory.AuthenticationError)]
    [InlineData("invalid_token", 200, ErrorCategory.AuthenticationError)]
    [InlineData("INVALID_OAUTHTOKEN", 401, ErrorCategory.AuthenticationError)]
    [InlineData("OAUTH_SCOPE_MISMATCH", 401, ErrorCategory.AuthenticationError)]
    [InlineData("invalid_client", 200, ErrorCategory.AuthenticationError)]
    [InlineData("invalid_code", 200, ErrorCategory.AuthenticationError)]
    [InlineData("Access Denied", 400, ErrorCategory.AuthenticationError)]
    [InlineData("NO_PERMISSION", 403, ErrorCategory.PermissionDenied)]
    [InlineData("AUTHORIZATION_FAILED", 400, ErrorCategory.PermissionDenied)]
    [InlineData("FEATURE_NOT_SUPPORTED", 400, ErrorCategory.PermissionDenied)]
    [InlineData("NOT_SUPPORTED_FEATURE", 400, ErrorCategory.PermissionDenied)]
    [InlineData("NOT_FOUND", 404, ErrorCategory.ObjectNotFound)]
    [InlineData("RESOURCE_NOT_FOUND", 400, ErrorCategory.ObjectNotFound)]
    [InlineData("INVALID_URL_PATTERN", 404, ErrorCategory.ObjectNotFound)]
    [InlineData("NO_RECORDS_FOUND", 200, ErrorCategory.ObjectNotFound)]
    [InlineData("ALREADY_SCHEDULED", 202, ErrorCategory.ResourceBusy)]
    [InlineData("ALREADY_SCHEDULED", 400, ErrorCategory.ResourceBusy)]
    [InlineData("TOO_MANY_REQUESTS", 429, ErrorCategory.LimitsExceeded)]
    [InlineData("LIMIT_EXCEEDED", 400, ErrorCategory.LimitsExceeded)]
    [InlineData("FILE_TOO_LARGE", 400, ErrorCategory.LimitsExceeded)]
    [InlineData("INTERNAL_ERROR", 500, ErrorCategory.ConnectionError)]
    [InlineData("INTERNAL_ERROR", 200, ErrorCategory.ConnectionError)]
    [InlineData("INVALID_DATA", 400, ErrorCategory.InvalidArgument)]
    [InlineData("MANDATORY_NOT_FOUND", 400, ErrorCategory.InvalidArgument)]
    [InlineData("SOMETHING_NEW", 401, ErrorCategory.AuthenticationError)]
    [InlineData("SOMETHING_NEW", 403, ErrorCategory.PermissionDenied)]
    [InlineData("SOMETHING_NEW", 404, ErrorCategory.ObjectNotFound)]
    [InlineData("SOMETHING_NEW", 429, ErrorCategory.LimitsExceeded)]
    [InlineData("SOMETHING_NEW", 500, ErrorCategory.ConnectionError)]
    [InlineData("SOMETHING_NEW", 503, ErrorCategory.ConnectionError)]
    [InlineData("SOMETHING_NEW", 400, ErrorCategory.InvalidArgument)]
    [InlineData(null, 200, ErrorCategory.InvalidArgument)]
    public void Codes_and_statuses_map_to_categories(string? code, int status, ErrorCategory expected) =>
        Assert.Equal(expected, ErrorRecords.CategoryOf(ZohoApiException.KindFor(code!, status)));

    [Theory]
    [InlineData(ZohoErrorKind.InvalidArgument, true)]
    [InlineData(ZohoErrorKind.AuthenticationError, true)]
    [InlineData(ZohoErrorKind.PermissionDenied, true)]
    [InlineData(ZohoErrorKind.ObjectNotFound, true)]
    [InlineData(ZohoErrorKind.SecurityError, true)]
    [InlineData(ZohoErrorKind.InvalidResult, true)]
    [InlineData(ZohoErrorKind.ConnectionError, false)]
    [InlineData(ZohoErrorKind.OperationTimeout, false)]
    [InlineData(ZohoErrorKind.LimitsExceeded, false)]
    [InlineData(ZohoErrorKind.ResourceBusy, false)]
    public void Only_rejections_of_the_request_itself_stop_a_multi_call_command(ZohoErrorKind kind, bool aboutTheRequest) =>
        Assert.Equal(aboutTheRequest, new ZohoClientException("ZohoCrm.Test", "x", kind).WouldFailEveryBatch);

    [Fact]
    public void An_API_error_becomes_an_error_record_with_Zoho_code_as_its_id()
    {
        var ex = Read("{\"code\":\"INVALID_DATA\",\"message\":\"bad\",\"status\":\"error\"}")!;
        var record = ErrorRecords.For(ex, "target");
        Assert.Same(ex, record.Exception);
        Assert.Equal("INVALID_DATA", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
        Assert.Equal("target", record.TargetObject);
    }

    [Fact]
    public void A_module_error_keeps_its_ZohoCrm_id_and_category()
    {
        var record = ErrorRecords.For(new ZohoValidationException("ZohoCrm.NoField", "no field", "Data"), null!);
        Assert.Equal("ZohoCrm.NoField", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
    }

    [Fact]
    public void Any_other_exception_is_an_unexpected_error_and_a_stopped_pipeline_stays_a_stop()
    {
        var record = ErrorRecords.For(new InvalidOperationException("bug"), null!);
        Assert.Equal("ZohoCrm.UnexpectedError", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.NotSpecified, record.CategoryInfo.Category);
        Assert.Throws<PipelineStoppedException>(() => ErrorRecords.For(new PipelineStoppedException(), null!));
    }
}
