using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace ZohoCrm.Emulator;

/// <summary>The records the emulator starts with: the seeds' records first, then generated samples.</summary>
internal static class SeedData
{
    public const string ApprovedLead1 = "738964000002131001";
    public const string ApprovedLead2 = "738964000002130131";
    public const string NotApprovedLead = "1306462000000496025";
    public const string LockedLead = "475243000003269880";
    public const string LockAction = "zia_vision_processing";

    public static void Populate(IReadOnlyDictionary<string, ModuleData> modules, EmulatorOptions options)
    {
        var leads = modules["Leads"];
        leads.Create(ApprovedLead1, new Dictionary<string, object?>
        {
            ["First_Name"] = "Kris",
            ["Last_Name"] = "Marrier",
            ["Company"] = "King (Sample)",
            ["Email"] = "krismarrier@example.com",
            ["Phone"] = "555-555-5555",
            ["No_of_Employees"] = 50L,
            ["Annual_Revenue"] = 850000d,
            ["Lead_Status"] = "Attempted to Contact",
            ["Lead_Source"] = "Cold Call",
            ["Industry"] = "ASP (Application Service Provider)",
            ["Interests"] = new[] { "CRM" },
        }, "2021-05-07T06:23:10+00:00");
        leads.Create(ApprovedLead2, new Dictionary<string, object?>
        {
            ["First_Name"] = "Carissa",
            ["Last_Name"] = "Kidman",
            ["Company"] = "Oh My Goodknits Inc",
            ["Email"] = "carissakidman@example.com",
            ["No_of_Employees"] = 10L,
            ["Lead_Status"] = "Contacted",
            ["Lead_Source"] = "Advertisement",
        }, "2021-05-07T06:38:15+00:00");
        leads.Create(NotApprovedLead, new Dictionary<string, object?>
        {
            ["First_Name"] = "Ted",
            ["Last_Name"] = "Pending (Not Approved)",
            ["Company"] = "Approval Pending Ltd",
            ["Email"] = "pending@example.com",
            ["Lead_Status"] = "Not Contacted",
        }, "2021-05-08T09:00:00+00:00").Approved = false;
        leads.Create(LockedLead, new Dictionary<string, object?>
        {
            ["First_Name"] = "Lena",
            ["Last_Name"] = "Locked (Zia Vision)",
            ["Company"] = "Locked Records Co",
            ["Email"] = "locked@example.com",
            ["Lead_Status"] = "Not Contacted",
        }, "2021-05-08T09:05:00+00:00").LockedAction = LockAction;

        var baseTime = new DateTimeOffset(2021, 6, 1, 0, 0, 0, TimeSpan.Zero);
        for (var n = 1; n <= options.GeneratedLeadCount; n++)
        {
            leads.Create(GeneratedLeadId(n), new Dictionary<string, object?>
            {
                ["Last_Name"] = $"Lead {n}",
                ["Company"] = $"Company {n % 50}",
                ["Email"] = $"lead{n}@example.com",
                ["Lead_Status"] = "Not Contacted",
                ["No_of_Employees"] = (long)n,
            }, Zoho.FormatTime(baseTime.AddSeconds(n)));
        }

        var deals = modules["Deals"];
        string[] stages = ["Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won"];
        for (var n = 1; n <= 5; n++)
        {
            deals.Create("7389640000200" + n.ToString("D5", CultureInfo.InvariantCulture), new Dictionary<string, object?>
            {
                ["Deal_Name"] = $"Deal {n}",
                ["Stage"] = stages[n - 1],
                ["Amount"] = 1000d * n,
                ["Closing_Date"] = $"2021-07-{n:D2}",
                ["Probability"] = (long)(n * 20),
            }, Zoho.FormatTime(baseTime.AddHours(n)));
        }

        var contacts = modules["Contacts"];
        for (var n = 1; n <= 5; n++)
        {
            contacts.Create("7389640000300" + n.ToString("D5", CultureInfo.InvariantCulture), new Dictionary<string, object?>
            {
                ["First_Name"] = "Contact",
                ["Last_Name"] = $"Person {n}",
                ["Email"] = $"contact{n}@example.com",
                ["Title"] = "Manager",
                ["Department"] = "Sales",
            }, Zoho.FormatTime(baseTime.AddDays(n)));
        }
    }

    /// <summary>The files seed 003 uses, uploaded before the emulator starts.</summary>
    public static readonly string[] BulkWriteFileIds = ["4150868000005364001", "4150868000005362001"];

    /// <summary>The job seed 004 reads: INPROGRESS forever, answered with exactly the captured body.</summary>
    public const string BulkWriteJobId = "4150868000005392002";

    public const string BulkWriteJobBody = """
        {"status":"INPROGRESS","resource":[{"status":"INPROGRESS","type":"data","module":"Leads","field_mappings":[
        {"api_name":"Owner","index":1,"format":null,"find_by":null,"module":null,"default_value":null},
        {"api_name":"Date_3","index":2,"format":"yyyy/MM/dd","find_by":null,"module":null,"default_value":null},
        {"api_name":"Last_Name","index":0,"format":null,"find_by":null,"module":null,"default_value":null},
        {"api_name":"Layout","index":4,"format":null,"find_by":null,"module":null,"default_value":null},
        {"api_name":"Mobile","index":3,"format":null,"find_by":null,"module":null,"default_value":null}],
        "code":"INPROGRESS"}],"id":"4150868000005392002","callback":{"url":"https://www.zoho.com/in/crm/","method":"post"},
        "created_by":{"id":"4150868000000225013","name":"Patricia Boyle"},"ignore_empty":true,"operation":"insert",
        "created_time":"2021-05-13T11:00:58+05:30"}
        """;

    /// <summary>A ZIP with one CSV <c>Last_Name,Mobile,Owner</c> and two rows, like the file seed 003 uploads.</summary>
    public static byte[] BulkWriteFile(string fileId)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = zip.CreateEntry(fileId + ".csv");
            using var w = new StreamWriter(entry.Open(), new UTF8Encoding(false));
            w.Write("Last_Name,Mobile,Owner\r\n");
            w.Write("Boyle,9876543210,4150868000000225013\r\n");
            w.Write("Gordon,9876543211,4150868000000225013\r\n");
        }
        return ms.ToArray();
    }

    /// <summary>"7389640000100" + 5-digit counter: 738964000010000001 ... (18 digits up to 99,999).</summary>
    public static string GeneratedLeadId(int n) => "7389640000100" + n.ToString("D5", CultureInfo.InvariantCulture);
}
