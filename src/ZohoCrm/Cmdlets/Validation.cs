using System.Management.Automation;
using System.Text.RegularExpressions;

namespace ZohoCrm.Cmdlets
{
    /// <summary>A Zoho record, job or view id: a string of digits.</summary>
    public sealed class ValidateZohoIdAttribute : ValidateArgumentsAttribute
    {
        private static readonly Regex Digits = new Regex(@"^\d{1,30}$");

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            object value = arguments is PSObject p ? p.BaseObject : arguments;
            if (value is string s) { Check(s); return; }
            if (value is System.Collections.IEnumerable list)
                foreach (var item in list) Check(item is PSObject ip ? ip.BaseObject as string : item as string);
        }

        private static void Check(string id)
        {
            if (id == null || !Digits.IsMatch(id))
                throw new ValidationMetadataException($"'{id}' is not a Zoho id: Zoho ids are strings of digits, such as 738964000002131001.");
        }
    }

    /// <summary>A module API name such as Leads, Deals or a custom module's API name.</summary>
    public sealed class ValidateModuleNameAttribute : ValidateArgumentsAttribute
    {
        private static readonly Regex Name = new Regex(@"^[A-Za-z][A-Za-z0-9_]{0,99}$");

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            string s = (arguments is PSObject p ? p.BaseObject : arguments) as string;
            if (string.IsNullOrWhiteSpace(s))
                throw new ValidationMetadataException("The module name is empty: give a module API name such as Leads or Deals.");
            if (!Name.IsMatch(s))
                throw new ValidationMetadataException($"'{s}' is not a module API name: API names are letters, digits and underscores, such as Leads, Deals or Custom_Module1.");
        }
    }
}
