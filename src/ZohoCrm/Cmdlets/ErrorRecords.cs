using System;
using System.Management.Automation;

namespace ZohoCrm.Cmdlets
{
    /// <summary>The one error factory: the module's exceptions as PowerShell error records.</summary>
    internal static class ErrorRecords
    {
        /// <summary>ErrorId = the exception's Code; category from its kind; TargetObject = what it concerns.</summary>
        public static ErrorRecord For(Exception ex, object target)
        {
            switch (ex)
            {
                case ZohoException z: return new ErrorRecord(z, z.Code, CategoryOf(z.Kind), target);
                case PipelineStoppedException _: throw ex;
                default:
                    return new ErrorRecord(ex, "ZohoCrm.UnexpectedError", ErrorCategory.NotSpecified, target);
            }
        }

        /// <summary>The error record's category for the exception.</summary>
        public static ErrorCategory Category(this ZohoException ex) => CategoryOf(ex.Kind);

        public static ErrorCategory CategoryOf(ZohoErrorKind kind)
        {
            switch (kind)
            {
                case ZohoErrorKind.InvalidArgument: return ErrorCategory.InvalidArgument;
                case ZohoErrorKind.InvalidData: return ErrorCategory.InvalidData;
                case ZohoErrorKind.InvalidOperation: return ErrorCategory.InvalidOperation;
                case ZohoErrorKind.InvalidResult: return ErrorCategory.InvalidResult;
                case ZohoErrorKind.AuthenticationError: return ErrorCategory.AuthenticationError;
                case ZohoErrorKind.PermissionDenied: return ErrorCategory.PermissionDenied;
                case ZohoErrorKind.SecurityError: return ErrorCategory.SecurityError;
                case ZohoErrorKind.ObjectNotFound: return ErrorCategory.ObjectNotFound;
                case ZohoErrorKind.ResourceBusy: return ErrorCategory.ResourceBusy;
                case ZohoErrorKind.ResourceUnavailable: return ErrorCategory.ResourceUnavailable;
                case ZohoErrorKind.LimitsExceeded: return ErrorCategory.LimitsExceeded;
                case ZohoErrorKind.ConnectionError: return ErrorCategory.ConnectionError;
                case ZohoErrorKind.OperationTimeout: return ErrorCategory.OperationTimeout;
                case ZohoErrorKind.WriteError: return ErrorCategory.WriteError;
                default: return ErrorCategory.NotSpecified;
            }
        }
    }
}
