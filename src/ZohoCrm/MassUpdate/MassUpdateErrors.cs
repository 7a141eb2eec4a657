using System.Collections.Generic;
using System.Linq;

namespace ZohoCrm
{
    /// <summary>Ids that were sent (or about to be) but not updated, because the whole call failed.</summary>
    public sealed class NotUpdatedException : ZohoException
    {
        internal NotUpdatedException(ZohoException inner, string module, IReadOnlyList<string> ids, IReadOnlyList<string> unsent)
            : base(inner.Code, Describe(inner, module, ids, unsent), inner.Kind, inner)
        {
            Ids = ids.ToArray();
            UnsentIds = unsent.ToArray();
        }

        /// <summary>Every id of the failed call; none of them was updated (or, after a call with no clear answer, they may or may not have been).</summary>
        public string[] Ids { get; }
        /// <summary>Ids received but never sent, because the command stopped.</summary>
        public string[] UnsentIds { get; }

        private static string Describe(ZohoException inner, string module, IReadOnlyList<string> ids, IReadOnlyList<string> unsent)
        {
            string list = string.Join(", ", ids.Take(5)) + (ids.Count > 5 ? $", ... ({ids.Count - 5} more)" : "");
            string rest = unsent.Count > 0 ? $" {unsent.Count} more id(s) were not sent." : "";
            // No clear answer to the call: Zoho may have updated them, so the error never claims they were not.
            string outcome = ErrorPolicy.OutcomeUnknown(inner) ? "may or may not have been updated" : "not updated";
            return $"{inner.Message} -- {ids.Count} {module} id(s) {outcome}: {list}.{rest} All of them are in the error's TargetObject.";
        }
    }

    /// <summary>A resumed run whose input had not been read to its end: the ids after the last recorded one were never recorded.</summary>
    public sealed class RunInputIncompleteException : ZohoException
    {
        internal RunInputIncompleteException(string lastId, int lastIndex, string message)
            : base("ZohoCrm.RunInputIncomplete", message, ZohoErrorKind.InvalidData)
        {
            LastId = lastId;
            LastIndex = lastIndex;
        }

        /// <summary>The last id the run recorded (null if none).</summary>
        public string LastId { get; }
        /// <summary>Its index in the run's id list (-1 if none).</summary>
        public int LastIndex { get; }
    }
}
