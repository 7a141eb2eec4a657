using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Makes many PSObjects of one shape: the same type name and the same note properties in the same order, only the
    /// values differ (the rows of one job's result). The first object is made the public way (PSObject.Properties.Add,
    /// TypeNames.Insert), which also tells PowerShell's member binders these names are instance members; the others
    /// take the shape's precomputed definitions: a PSObject sized for its members, one shared read-only type-name list
    /// (as every plain [pscustomobject] shares its own until something changes it), and each note put straight into the
    /// object's member table, with no member integration, type-table lookup, copy or lock per cell. The fast object is
    /// checked once against the public one (names, order, type names); a runtime laid out otherwise (Windows
    /// PowerShell) makes every object the public way.
    /// </summary>
    internal sealed class NoteObjectShape
    {
        private readonly string _typeName;
        private readonly string[] _names;
        private object _sharedTypeNames;
        private bool _fast;
        private bool _checked;

        public NoteObjectShape(string typeName, IEnumerable<string> names)
        {
            _typeName = typeName;
            _names = names.ToArray();
        }

        /// <summary>The objects after the first take the fast way (known once the first is made).</summary>
        internal bool IsFast => _fast;

        /// <summary>The property names, in order.</summary>
        public IReadOnlyList<string> Names => _names;

        /// <summary>An object of this shape with <paramref name="values"/> (in <see cref="Names"/> order).</summary>
        [MethodImpl(Hot.Path)]
        public PSObject New(object[] values)
        {
            if (!_checked) return First(values);
            return _fast ? Fast(values) : Public(values);
        }

        private PSObject First(object[] values)
        {
            var o = Public(values);
            _checked = true;
            try
            {
                _sharedTypeNames = Internals.SharedTypeNames(o.TypeNames);
                if (_sharedTypeNames == null || Internals.MembersOf == null || Internals.SetTypeNames == null) return o;
                _fast = true;
                var probe = Fast(values);
                _fast = probe.TypeNames.SequenceEqual(o.TypeNames, StringComparer.Ordinal)
                        && probe.Properties.Select(p => p.Name).SequenceEqual(o.Properties.Select(p => p.Name), StringComparer.Ordinal)
                        && probe.Properties.Select(p => p.Value).SequenceEqual(o.Properties.Select(p => p.Value));
            }
            catch (Exception) { _fast = false; }
            return o;
        }

        /// <summary>As every cmdlet may: a new PSObject, the type name first, note properties added one by one.</summary>
        private PSObject Public(object[] values)
        {
            var o = new PSObject();
            o.TypeNames.Insert(0, _typeName);
            for (int i = 0; i < _names.Length; i++) o.Properties.Add(new PSNoteProperty(_names[i], values[i]));
            return o;
        }

        [MethodImpl(Hot.Path)]
        private PSObject Fast(object[] values)
        {
            var o = Internals.NewSized(_names.Length);
            Internals.SetTypeNames(o, _sharedTypeNames);
            var members = Internals.MembersOf(o);
            // The indexer, as PowerShell's own member table does: a repeated name replaces the earlier value in its place.
            for (int i = 0; i < _names.Length; i++)
            {
                var note = new PSNoteProperty(_names[i], values[i]);
                Internals.SetInstance?.Invoke(note, o);
                members[_names[i]] = note;
            }
            return o;
        }

        /// <summary>Compiled access to the PSObject internals the fast path uses; each null where the runtime has no such member.</summary>
        private static class Internals
        {
            private const BindingFlags NonPublic = BindingFlags.Instance | BindingFlags.NonPublic;

            /// <summary>new PSObject(capacity): public from PowerShell 7.2 on, absent from the 5.1 reference.</summary>
            public static readonly Func<int, PSObject> NewSized = Compile(() =>
            {
                var ctor = typeof(PSObject).GetConstructor(new[] { typeof(int) });
                if (ctor == null) return (Func<int, PSObject>)(_ => new PSObject());
                var n = Expression.Parameter(typeof(int), "n");
                return Expression.Lambda<Func<int, PSObject>>(Expression.New(ctor, n), n).Compile();
            }) ?? (_ => new PSObject());

            /// <summary>The object's own member table (PSObject.InstanceMembers' ordered dictionary).</summary>
            public static readonly Func<PSObject, OrderedDictionary> MembersOf = PowerShellValues.ReadInternal<OrderedDictionary>("InstanceMembers", "_members", "members");

            private static readonly FieldInfo TypeNamesField = typeof(PSObject).GetField("_typeNames", NonPublic);

            public static readonly Action<PSObject, object> SetTypeNames = Compile(() =>
            {
                if (TypeNamesField == null) return null;
                var obj = Expression.Parameter(typeof(PSObject), "obj");
                var value = Expression.Parameter(typeof(object), "value");
                return Expression.Lambda<Action<PSObject, object>>(
                    Expression.Assign(Expression.Field(obj, TypeNamesField), Expression.Convert(value, TypeNamesField.FieldType)), obj, value).Compile();
            });

            /// <summary>PSMemberInfo.instance, which PowerShell sets to the owner when a member is added.</summary>
            public static readonly Action<PSMemberInfo, PSObject> SetInstance = Compile(() =>
            {
                var field = typeof(PSMemberInfo).GetField("instance", NonPublic);
                if (field == null || !field.FieldType.IsAssignableFrom(typeof(PSObject))) return null;
                var member = Expression.Parameter(typeof(PSMemberInfo), "member");
                var owner = Expression.Parameter(typeof(PSObject), "owner");
                return Expression.Lambda<Action<PSMemberInfo, PSObject>>(Expression.Assign(Expression.Field(member, field), Expression.Convert(owner, field.FieldType)), member, owner).Compile();
            });

            /// <summary>A read-only type-name list of <paramref name="names"/> (reading an object's TypeNames gives it its own copy first), or null.</summary>
            public static object SharedTypeNames(IEnumerable<string> names)
            {
                if (TypeNamesField == null) return null;
                var ctor = TypeNamesField.FieldType.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, new[] { typeof(IEnumerable<string>), typeof(bool) }, null);
                if (ctor == null) return null;
                var list = ctor.Invoke(new object[] { names.ToList(), true });
                return list is ICollection<string> c && c.IsReadOnly ? list : null;
            }

            private static T Compile<T>(Func<T> make) where T : class
            {
                try { return make(); }
                catch (Exception) { return null; }
            }
        }
    }
}
