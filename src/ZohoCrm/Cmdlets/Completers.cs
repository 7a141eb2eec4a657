using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.Metadata;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// What the completers share: this session's connection (or -Connection when it is a plain variable's value),
    /// the org's metadata read with a short bound (<see cref="Budget"/>), and quiet failure: with no connection, no
    /// network or an error answer a completer gives its static list or nothing, never an error on screen nor a hang.
    /// </summary>
    internal static class Completion
    {
        public static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

        /// <summary>Modules every Zoho CRM org has (v8), for completion without a connection.</summary>
        public static readonly string[] StandardModules =
        {
            "Leads", "Contacts", "Accounts", "Deals", "Campaigns", "Tasks", "Events", "Calls", "Meetings", "Cases", "Solutions",
            "Products", "Vendors", "Price_Books", "Quotes", "Sales_Orders", "Purchase_Orders", "Invoices", "Notes",
        };

        public static Connection ConnectionOf(IDictionary fakeBoundParameters)
        {
            if (fakeBoundParameters != null && fakeBoundParameters.Contains("Connection"))
            {
                object c = fakeBoundParameters["Connection"];
                if (c is PSObject p) c = p.BaseObject;
                if (c is Connection given) return given;
            }
            return SessionStore.Get(Runspace.DefaultRunspace);
        }

        public static string Text(IDictionary fakeBoundParameters, string name)
        {
            if (fakeBoundParameters == null || !fakeBoundParameters.Contains(name)) return null;
            object v = fakeBoundParameters[name];
            return (v is PSObject p ? p.BaseObject : v) as string;
        }

        /// <summary>Metadata within the budget: what the connection keeps, else a call bounded by it; null on any failure.</summary>
        public static T Read<T>(Func<CancellationToken, Task<T>> read) where T : class
        {
            try
            {
                // Not disposed: a call still running past the budget is cancelled by it and must still see the token.
                var cts = new CancellationTokenSource(Budget);
                var task = Task.Run(() => read(cts.Token));
                return task.Wait(Budget) ? task.Result : null;
            }
            catch (Exception) { return null; } // completion never fails out loud
        }

        public static IEnumerable<CompletionResult> Matching(IEnumerable<(string Text, string List, string Tip)> items, string word)
        {
            var pattern = new WildcardPattern((word ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
            foreach (var i in items)
                if (pattern.IsMatch(i.Text) || (i.List != null && pattern.IsMatch(i.List)))
                    yield return new CompletionResult(Quote(i.Text), i.List ?? i.Text, CompletionResultType.ParameterValue, i.Tip ?? i.Text);
        }

        private static string Quote(string text) => text.Any(c => char.IsWhiteSpace(c) || "'\"$`;,(){}@#|&<>".IndexOf(c) >= 0) ? "'" + text.Replace("'", "''") + "'" : text;
    }

    /// <summary>-Module: the org's modules (API-supported), or Zoho's standard ones without a connection.</summary>
    public sealed class ModuleCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var connection = Completion.ConnectionOf(fakeBoundParameters);
            IReadOnlyList<ZohoModule> modules = null;
            if (connection != null)
            {
                var service = new MetadataService(connection);
                modules = service.KeptModules() ?? Completion.Read(ct => service.ModulesAsync(false, ct));
            }
            var names = modules?.Where(m => m.ApiSupported && m.ApiName != null).Select(m => (m.ApiName, (string)null, $"{m.ApiName} ({m.PluralLabel ?? m.ApiName})"))
                        ?? Completion.StandardModules.Select(m => (m, (string)null, m));
            return Completion.Matching(names.ToList(), wordToComplete).ToList();
        }
    }

    /// <summary>-FindBy: id and the module's unique fields. -Property: the module's fields that can be written, and id.</summary>
    public sealed class FieldCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var connection = Completion.ConnectionOf(fakeBoundParameters);
            string module = Completion.Text(fakeBoundParameters, "Module");
            // id is always right: without a connection or metadata it is the one answer (and PowerShell offers no file names).
            IEnumerable<(string, string, string)> items = new[] { ("id", (string)null, "id (the record id)") };
            IReadOnlyList<ZohoField> fields = null;
            if (connection != null && module != null && Http.InputRules.IsModuleName(module))
            {
                var service = new MetadataService(connection);
                fields = service.KeptFields(module) ?? Completion.Read(ct => service.FieldsAsync(module, false, ct));
            }
            bool unique = string.Equals(parameterName, "FindBy", StringComparison.OrdinalIgnoreCase);
            if (fields != null)
                items = items.Concat(fields.Where(f => f.ApiName != null && (unique ? f.Unique : !f.ReadOnly)).Select(f => (f.ApiName, (string)null, $"{f.ApiName} ({f.DataType}{(f.Unique ? ", unique" : "")})")));
            return Completion.Matching(items.ToList(), wordToComplete).ToList();
        }
    }

    /// <summary>-CustomViewId: the module's custom views; completes the id, lists and shows the name.</summary>
    public sealed class CustomViewCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var connection = Completion.ConnectionOf(fakeBoundParameters);
            string module = Completion.Text(fakeBoundParameters, "Module");
            if (connection == null || module == null || !Http.InputRules.IsModuleName(module)) return new CompletionResult[0];
            var service = new MetadataService(connection);
            var views = service.KeptViews(module) ?? Completion.Read(ct => service.CustomViewsAsync(module, false, ct));
            if (views == null) return new CompletionResult[0];
            return Completion.Matching(views.Where(v => v.Id != null).Select(v => (v.Id, $"{v.DisplayValue ?? v.Name} ({v.Id})", $"{v.DisplayValue ?? v.Name}")).ToList(), wordToComplete).ToList();
        }
    }

    /// <summary>-JobId: the jobs this session created (newest first): bulk write jobs for the bulk write cmdlets, mass update jobs for Get-ZcrmMassUpdateJob.</summary>
    public sealed class JobIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            bool mass = commandName != null && commandName.IndexOf("MassUpdate", StringComparison.OrdinalIgnoreCase) >= 0;
            var jobs = SessionStore.RecentJobs(Runspace.DefaultRunspace).Where(j => j.MassUpdate == mass);
            return Completion.Matching(jobs.Select(j => (j.JobId, $"{j.JobId} ({j.Module}, {j.What})", $"{j.Module}: {j.What}, created {j.Created:HH:mm:ss}")).ToList(), wordToComplete).ToList();
        }
    }

    /// <summary>-CharacterEncoding: the encodings CSV files from Excel and other systems usually come in.</summary>
    public sealed class EncodingCompleter : IArgumentCompleter
    {
        private static readonly string[] Names = { "UTF-8", "windows-1252", "iso-8859-1", "iso-8859-15", "utf-16", "utf-16BE", "windows-1250", "windows-1251", "shift_jis", "gb2312", "big5", "us-ascii" };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            Completion.Matching(Names.Select(n => (n, (string)null, n)).ToList(), wordToComplete).ToList();
    }
}
