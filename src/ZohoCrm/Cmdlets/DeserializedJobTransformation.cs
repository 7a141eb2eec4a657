using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Turns a job object that has been through PowerShell's serializer (Import-Clixml, Receive-Job, remoting: a
    /// property bag named Deserialized.ZohoCrm.BulkWriteJob or Deserialized.ZohoCrm.MassUpdateJob) back into the job
    /// type of an -InputObject parameter, so it binds as the job it was and keeps what the job carries (FirstRow,
    /// SourcePath, DownloadUrl, CustomViewId...), not only its JobId. Its JobId must be a Zoho id and its Module a module
    /// name; anything else (a live job, a string, another object, a bag that fails those checks) passes unchanged, so
    /// it binds as before: a live job as itself, the others by property name to -JobId, whose checks then apply.
    /// </summary>
    public sealed class DeserializedJobTransformationAttribute : ArgumentTransformationAttribute
    {
        private readonly Type _jobType;
        private readonly string _typeName;
        private readonly PropertyInfo[] _settable;

        public DeserializedJobTransformationAttribute(Type jobType)
        {
            _jobType = jobType;
            _typeName = "Deserialized." + jobType.FullName;
            _settable = jobType.GetProperties().Where(p => p.GetSetMethod(true) != null).ToArray();
        }

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            if (inputData is PSObject one) return FromBag(one) ?? inputData;
            if (inputData is IList list && !(inputData is IDictionary))
            {
                var items = new object[list.Count];
                bool changed = false;
                for (int i = 0; i < list.Count; i++)
                {
                    object job = list[i] is PSObject p ? FromBag(p) : null;
                    items[i] = job ?? list[i];
                    changed |= job != null;
                }
                return changed ? items : inputData;
            }
            return inputData;
        }

        private object FromBag(PSObject bag)
        {
            if (!bag.TypeNames.Contains(_typeName, StringComparer.OrdinalIgnoreCase) || _jobType.IsInstanceOfType(bag.BaseObject)) return null;
            if (!ValidateZohoIdAttribute.IsZohoId(Text(bag, "JobId")) || !ValidateModuleNameAttribute.IsModuleName(Text(bag, "Module"))) return null;
            object job = Activator.CreateInstance(_jobType, nonPublic: true);
            foreach (var property in _settable)
            {
                // What does not convert back (a date or mapping that came back as text or a property bag) is left empty.
                object value = bag.Properties[property.Name]?.Value;
                if (value != null && LanguagePrimitives.TryConvertTo(value, property.PropertyType, out object typed))
                    property.SetValue(job, typed);
            }
            return job;
        }

        private static string Text(PSObject bag, string name) => (bag.Properties[name]?.Value is PSObject p ? p.BaseObject : bag.Properties[name]?.Value) as string;
    }
}
