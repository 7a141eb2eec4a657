using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using ZohoCrm.BulkWrite;
using ZohoCrm.Http;
using ZohoCrm.Metadata;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// New-ZcrmBulkWriteJob's rows on their way into the job files: the checks against the org's fields and the
    /// uploads ahead of finished job files (jobs are still created only after the whole input is checked).
    /// </summary>
    public sealed partial class NewZcrmBulkWriteJob
    {
        private bool _fieldsRead;

        /// <summary>The module's fields, read once, when first needed: after the input's own checks, so bad input is named before any request.</summary>
        private IReadOnlyList<ZohoField> Fields()
        {
            if (!_fieldsRead) _fields = MetadataGate.FieldsForChecks(this, Module, SkipMetadataCheck);
            _fieldsRead = true;
            return _fields;
        }

        /// <summary>The fields the input's columns map to, -FindBy and the mandatory fields of an insert, against the module's metadata.</summary>
        private void CheckColumns(IReadOnlyList<string> mapped) =>
            MetadataChecks.BulkWriteColumns(Module, _fields, mapped, FindBy, Operation, (_mappings ?? new List<FieldMappingSpec>()).Where(m => m.HasDefault).Select(m => m.ApiName));


        /// <summary>One row of the input into its job files and the checks against the org's fields.</summary>
        [MethodImpl(Hot.Path)]
        private void AddRow(IReadOnlyList<string> cells)
        {
            _chunks.Add(cells);
            _orgCheck.Add(cells, _chunks.RowCount);
            if (_uploadAhead && _chunks.Chunks.Count - 1 > _uploadedAhead) UploadFinishedChunks();
        }

        /// <summary>Upload finished chunks while the next ones are written (each job is still created only after the whole input is checked).</summary>
        private bool _uploadAhead;
        /// <summary>The current input's chunks handed to the uploads ahead.</summary>
        private int _uploadedAhead;

        /// <summary>The chunks before the one being written, once all their rows have passed every check so far.</summary>
        private void UploadFinishedChunks()
        {
            if (!_orgCheck.Started || _orgCheck.HasProblems) return;
            for (; _uploadedAhead < _chunks.Chunks.Count - 1; _uploadedAhead++) _submitter.UploadAhead(_chunks.Chunks[_uploadedAhead]);
        }

        /// <summary>
        /// The current input refused after some of its chunks were uploaded ahead: the error says so where it would say
        /// "nothing was uploaded". An uploaded file makes no job and changes no record.
        /// </summary>
        private ZohoException AfterUploadsAhead(ZohoException ex)
        {
            if (_uploadedAhead == 0 || _chunks == null || !(ex is ZohoValidationException v)) return ex;
            string said = $"No job was created (the files of rows 1-{_chunks.Chunks[_uploadedAhead - 1].LastRow} may have been uploaded ahead; an uploaded file makes no job and changes no record)";
            string message = System.Text.RegularExpressions.Regex.Replace(v.Message, "[Nn]othing was uploaded", said);
            if (message == v.Message) message = v.Message.TrimEnd() + " " + said + ".";
            return new ZohoValidationException(v.Code, message, v.ParameterName, v.Kind);
        }

        /// <summary>ShouldProcess would ask about each job (-Confirm, or $ConfirmPreference at Medium or below).</summary>
        private bool WouldConfirm()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Confirm", out var given))
                return given is SwitchParameter sw ? sw.IsPresent : LanguagePrimitives.IsTrue(given);
            var preference = SessionState.PSVariable.GetValue("ConfirmPreference");
            ConfirmImpact impact;
            try { impact = preference == null ? ConfirmImpact.High : LanguagePrimitives.ConvertTo<ConfirmImpact>(preference); }
            catch (PSInvalidCastException) { return true; }
            return impact != ConfirmImpact.None && impact <= ConfirmImpact.Medium;
        }
    }
}
