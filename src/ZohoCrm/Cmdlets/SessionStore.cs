using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// The connection made by Connect-Zcrm, kept per runspace: another runspace (a job, ForEach-Object -Parallel,
    /// a second PowerShell tab) does not see it and must be given -Connection.
    /// </summary>
    internal static class SessionStore
    {
        private sealed class Slot { public Connection Connection; }
        private static readonly ConditionalWeakTable<Runspace, Slot> Slots = new ConditionalWeakTable<Runspace, Slot>();

        public static Connection Get(Runspace runspace) =>
            runspace != null && Slots.TryGetValue(runspace, out var slot) ? slot.Connection : null;

        public static void Set(Runspace runspace, Connection connection)
        {
            if (runspace == null) throw new InvalidOperationException("There is no current runspace to keep the connection in.");
            // The replaced connection is not disposed: a script may still hold it (-PassThru) for -Connection.
            Slots.GetValue(runspace, _ => new Slot()).Connection = connection;
        }

        public static bool Clear(Runspace runspace)
        {
            if (runspace == null || !Slots.TryGetValue(runspace, out var slot) || slot.Connection == null) return false;
            slot.Connection = null;
            return true;
        }
    }
}
