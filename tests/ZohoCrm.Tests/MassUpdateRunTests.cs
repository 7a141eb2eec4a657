using System.Text;
using ZohoCrm.MassUpdate;

namespace ZohoCrm.Tests;

/// <summary>
/// The run files of a resumable mass update as a crash leaves them: a line cut in the middle, a batch's results
/// written but the batch not marked done. (The run end to end, killed and resumed: ZohoCrm.MassUpdateRun.Tests.ps1.)
/// </summary>
public class MassUpdateRunTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "zcrm-run-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path)) Directory.Delete(_path, recursive: true);
    }

    private static MassUpdateResult Result(string id, string status = "success") => new()
    {
        Module = "Leads", Id = id, Status = status, Code = status == "success" ? "SUCCESS" : "RECORD_LOCKED",
        Message = "record updated", ModifiedTime = new DateTimeOffset(2026, 12, 2, 5, 30, 0, TimeSpan.FromHours(5.5)),
        ModifiedBy = "Patricia Boyle", ModifiedById = "738964000000291009",
    };

    [Fact]
    public void Cut_lines_are_dropped_and_a_batch_whose_results_were_written_but_not_marked_done_is_not_done()
    {
        using (var run = MassUpdateRun.Create(_path, "Deals", "{\"Stage\":\"Closed Lost\",\"Probability\":1.10}", true, 3, "https://www.zohoapis.eu"))
        {
            foreach (var id in new[] { "1", "2", "3", "4", "5" }) run.AddId(id);
            int b0 = run.AddBatch(3, MassUpdateRunBatch.Sending);
            run.Done(b0, new[] { Result("1"), Result("2", "error"), Result("3") });
            run.AddBatch(2, MassUpdateRunBatch.Sending);
        }
        // The process died while it wrote batch 2's results, and while another id arrived.
        File.AppendAllText(Path.Combine(_path, MassUpdateRun.ResultsName), "{\"batch\":1,\"id\":\"4\",\"status\":\"success\"}\n{\"batch\":1,\"id\":\"5\",\"sta");
        File.AppendAllText(Path.Combine(_path, MassUpdateRun.IdsName), "6000");

        using (var run = MassUpdateRun.Open(_path))
        {
            Assert.Equal(new[] { "1", "2", "3", "4", "5" }, run.Ids);
            Assert.Equal(new[] { "done", "sending" }, run.Batches.Select(b => b.State));
            Assert.Equal("{\"Stage\":\"Closed Lost\",\"Probability\":1.10}", run.DataJson);
            Assert.True(run.OverWrite);
            Assert.Equal("https://www.zohoapis.eu", run.ApiDomain);
            var saved = run.ResultsOf(0);
            Assert.Equal(new[] { "1", "2", "3" }, saved.Select(r => r.Id));
            Assert.Equal("RECORD_LOCKED", saved[1].Code);
            Assert.Equal(Result("1").ModifiedTime, saved[0].ModifiedTime);
            Assert.Equal("738964000000291009", saved[0].ModifiedById);
            Assert.Null(saved[0].CreatedTime);
            run.Done(1, new[] { Result("4"), Result("5") });
        }

        using (var run = MassUpdateRun.Open(_path))
        {
            Assert.Equal(new[] { "4", "5" }, run.ResultsOf(1).Select(r => r.Id));
            Assert.Equal("record updated", run.ResultsOf(1)[1].Message);
        }
        Assert.DoesNotContain("\"sta{", File.ReadAllText(Path.Combine(_path, MassUpdateRun.ResultsName)));
    }

    [Fact]
    public void A_done_batch_without_its_results_is_an_invalid_run_naming_the_results_file()
    {
        using (var run = MassUpdateRun.Create(_path, "Leads", "{\"Rating\":\"Hot\"}", false, 500, "https://www.zohoapis.com"))
        {
            run.AddId("1");
            run.Done(run.AddBatch(1, MassUpdateRunBatch.Sending), new[] { Result("1") });
        }
        File.WriteAllText(Path.Combine(_path, MassUpdateRun.ResultsName), "", Encoding.UTF8);
        var ex = Assert.Throws<ZohoValidationException>(() => MassUpdateRun.Open(_path));
        Assert.Equal("ZohoCrm.InvalidRun", ex.Code);
        Assert.Contains(Path.Combine(_path, MassUpdateRun.ResultsName), ex.Message);
        Assert.Contains("batch 1 (ids 0-0)", ex.Message);
        // The lock was let go: the run can be opened again (and refused again).
        Assert.Throws<ZohoValidationException>(() => MassUpdateRun.Open(_path));
    }
}
