using ZohoCrm.Cmdlets;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Tests;

/// <summary>
/// The errors that name input a multi-call command could not get through (RowsNotSubmittedException for bulk write,
/// NotUpdatedException for mass update by ids): which rows or ids, and whether Zoho may still have acted.
/// </summary>
public class NotSubmittedErrorsTests
{
    private static readonly BulkChunk Chunk = new() { FirstRow = 25001, LastRow = 50000, ZipPath = "x.zip" };
    private static readonly BulkWriteJob[] None = Array.Empty<BulkWriteJob>();

    [Fact]
    public void A_refused_upload_names_the_rows_not_submitted_and_keeps_code_and_category()
    {
        var inner = new ZohoApiException("INVALID_DATA", "invalid module", 400, null!, "POST https://content.zohoapis.com/crm/v8/upload");
        var ex = new RowsNotSubmittedException(inner, "Leads", Chunk, 75000, null!, None);
        Assert.Equal("INVALID_DATA", ex.Code);
        Assert.Equal(inner.Category(), ex.Category());
        Assert.Same(inner, ex.InnerException);
        Assert.Equal((25001L, 75000L), (ex.FirstRow, ex.LastRow));
        Assert.Equal("rows 25001-75000", ex.NotSubmitted);
        Assert.Contains("Leads rows 25001-75000 of the input were not submitted", ex.Message);
        Assert.EndsWith("No job was created in this run.", ex.Message);
    }

    [Theory]
    [InlineData("ZohoCrm.Timeout")]
    [InlineData("ZohoCrm.ConnectionFailed")]
    [InlineData("ZohoCrm.ServerError")]
    public void A_lost_answer_after_the_upload_says_Zoho_may_have_made_a_job(string code)
    {
        var inner = new ZohoClientException(code, "POST https://www.zohoapis.com/crm/bulk/v8/write failed.", ZohoErrorKind.ConnectionError);
        var created = new[] { new BulkWriteJob { JobId = "111", FirstRow = 1, LastRow = 25000 } };
        var ex = new RowsNotSubmittedException(inner, "Leads", Chunk, 60000, "file-9", created);
        Assert.Equal("file-9", ex.FileId);
        Assert.Equal(new[] { "111" }, ex.SubmittedJobIds);
        Assert.Contains("rows 25001-50000 were uploaded as file file-9, and Zoho may or may not have made a job of them", ex.Message);
        Assert.Contains("rows 50001-60000 were not submitted", ex.Message);
        Assert.Contains("Already submitted: job 111 (rows 1-25000).", ex.Message);
    }

    [Fact]
    public void A_5xx_answer_to_the_create_call_is_an_unknown_outcome_too()
    {
        var inner = new ZohoApiException("INTERNAL_ERROR", "oops", 500, null!, "POST x");
        var ex = new RowsNotSubmittedException(inner, "Leads", Chunk, 50000, "file-9", None);
        Assert.Contains("may or may not have made a job", ex.Message);
    }

    [Fact]
    public void A_refusal_of_the_create_call_is_not_an_unknown_outcome()
    {
        var inner = new ZohoApiException("INVALID_DATA", "bad mapping", 400, null!, "POST x");
        var ex = new RowsNotSubmittedException(inner, "Leads", Chunk, 50000, "file-9", None);
        Assert.DoesNotContain("may or may not", ex.Message);
        Assert.Contains("rows 25001-50000 of the input were not submitted", ex.Message);
    }

    [Fact]
    public void Mass_update_names_the_ids_not_updated_and_the_ids_not_sent()
    {
        var inner = new ZohoApiException("NO_PERMISSION", "permission denied", 403, null!, "POST x");
        var ids = Enumerable.Range(1, 7).Select(i => i.ToString()).ToList();
        var ex = new NotUpdatedException(inner, "Leads", ids, new[] { "8", "9" });
        Assert.Equal("NO_PERMISSION", ex.Code);
        Assert.Equal(System.Management.Automation.ErrorCategory.PermissionDenied, ex.Category());
        Assert.Equal(ids, ex.Ids);
        Assert.Equal(new[] { "8", "9" }, ex.UnsentIds);
        Assert.StartsWith(inner.Message, ex.Message);
        Assert.Contains("7 Leads id(s) not updated: 1, 2, 3, 4, 5, ... (2 more).", ex.Message);
        Assert.Contains("2 more id(s) were not sent.", ex.Message);
    }

    [Fact]
    public void Mass_update_with_few_ids_lists_them_all()
    {
        var inner = new ZohoClientException("ZohoCrm.Timeout", "no answer.", ZohoErrorKind.OperationTimeout);
        var ex = new NotUpdatedException(inner, "Deals", new[] { "10", "11" }, Array.Empty<string>());
        Assert.Contains("2 Deals id(s) not updated: 10, 11.", ex.Message);
        Assert.DoesNotContain("not sent", ex.Message);
        Assert.False(ex.WouldFailEveryBatch);
    }
}
