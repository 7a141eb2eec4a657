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
        Assert.Contains("rows 25001-50000 of the input were uploaded as file file-9, and Zoho may or may not have made a job of them", ex.Message);
        Assert.Contains("rows 50001-60000 of the input were not submitted", ex.Message);
        Assert.Contains("Already submitted: job 111 (rows 1-25000).", ex.Message);
        // Exactly the rows not submitted: the uploaded chunk's rows are not among them (sending them again could write them twice).
        Assert.Equal("rows 50001-60000", ex.NotSubmitted);
        Assert.Equal(("25001-50000"), ex.MaybeSubmittedRange.ToString());
        Assert.Equal(new object[] { "rows 50001-60000", "file file-9 (rows 25001-50000: may or may not have become a job)" }, ex.Target);
    }

    [Fact]
    public void A_lost_answer_for_one_chunk_names_no_row_as_not_submitted()
    {
        var inner = new ZohoClientException("ZohoCrm.Timeout", "no answer.", ZohoErrorKind.OperationTimeout);
        var ex = new RowsNotSubmittedException(inner, "Leads", Chunk, Chunk.LastRow, "file-9", None, "/data/leads.csv");
        Assert.Null(ex.NotSubmitted);
        Assert.Empty(ex.NotSubmittedRanges);
        Assert.DoesNotContain("were not submitted", ex.Message);
        Assert.Contains("Leads rows 25001-50000 of leads.csv were uploaded as file file-9, and Zoho may or may not", ex.Message);
        Assert.Equal(new object[] { "file file-9 (rows 25001-50000 of /data/leads.csv: may or may not have become a job)" }, ex.Target);
    }

    [Theory]
    [InlineData("ZohoCrm.InvalidResponse", ZohoErrorKind.InvalidResult)]
    [InlineData("ZohoCrm.UnexpectedResponse", ZohoErrorKind.InvalidResult)]
    public void An_unreadable_answer_to_the_create_call_is_an_unknown_outcome_even_when_nothing_more_is_sent(string code, ZohoErrorKind kind)
    {
        // Such an answer stops the command (it would repeat), but Zoho may have made the job: its rows are not "not submitted".
        var inner = new ZohoClientException(code, "HTTP 200 and a body this module does not recognise.", kind);
        Assert.True(inner.WouldFailEveryBatch);
        var ex = new RowsNotSubmittedException(inner, "Leads", Chunk, 60001, "file-9", None);
        Assert.Equal("rows 50001-60001", ex.NotSubmitted);
        Assert.Equal((25001L, 60001L), (ex.FirstRow, ex.LastRow));
        Assert.Contains("may or may not have made a job", ex.Message);
    }

    [Fact]
    public void A_refused_upload_is_never_an_unknown_outcome()
    {
        // No file id: the upload itself failed, so no job can exist for these rows whatever the error.
        var inner = new ZohoClientException("ZohoCrm.Timeout", "no answer.", ZohoErrorKind.OperationTimeout);
        var ex = new RowsNotSubmittedException(inner, "Leads", Chunk, 60001, null!, None);
        Assert.Equal("rows 25001-60001", ex.NotSubmitted);
        Assert.Null(ex.MaybeSubmittedRange);
        Assert.DoesNotContain("may or may not", ex.Message);
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
        // A timeout is no clear answer: the ids may or may not have been updated.
        Assert.Contains("2 Deals id(s) may or may not have been updated: 10, 11.", ex.Message);
        Assert.DoesNotContain("not sent", ex.Message);
        Assert.False(ex.WouldFailEveryBatch);
    }

    [Fact]
    public void Mass_update_refused_by_Zoho_says_not_updated()
    {
        var inner = new ZohoApiException("INVALID_DATA", "invalid data", 400, new System.Collections.Hashtable(), "POST x");
        var ex = new NotUpdatedException(inner, "Deals", new[] { "10" }, Array.Empty<string>());
        Assert.Contains("1 Deals id(s) not updated: 10.", ex.Message);
    }
}

/// <summary>Which rows a failed submission did not submit, and which may or may not have become a job.</summary>
public class RowRangesTests
{
    private static readonly BulkChunk Chunk = new() { FirstRow = 25001, LastRow = 50000, ZipPath = "x.zip" };

    [Theory]
    // A clear failure of this chunk only (a passing failure): its rows exactly.
    [InlineData(50000, false, "25001-50000", null)]
    // A clear failure that stops the command: this chunk's rows and every later one.
    [InlineData(60001, false, "25001-60001", null)]
    // No clear answer to the create call: the chunk's rows may or may not be a job; only the later rows are not submitted.
    [InlineData(50000, true, "", "25001-50000")]
    [InlineData(60001, true, "50001-60001", "25001-50000")]
    public void Split_names_exactly_the_rows_not_submitted(long lastRow, bool unknown, string notSubmitted, string? maybe)
    {
        var o = RowRanges.Split(Chunk, lastRow, unknown);
        Assert.Equal(notSubmitted, string.Join(",", o.NotSubmitted));
        Assert.Equal(maybe, o.Maybe?.ToString());
        Assert.Equal((25001L, lastRow), (o.FirstRow, o.LastRow));
        Assert.Equal(lastRow - 25000, o.NotSubmitted.Sum(r => r.Count) + (o.Maybe?.Count ?? 0));
    }
}
