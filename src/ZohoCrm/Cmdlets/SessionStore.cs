using System;
using System.Collections.Generic;
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
        private sealed class Slot
        {
            public Connection Connection;
            public readonly List<RecentJob> Jobs = new List<RecentJob>();
        }

        /// <summary>A job this session created, for -JobId completion.</summary>
        internal sealed class RecentJob
        {
            public string JobId;
            public string Module;
            public string What;
            public bool MassUpdate;
            public DateTimeOffset Created;
        }

        private const int JobsKept = 50;

        /// <summary>Remembers a job this runspace created (the newest 50 are kept).</summary>
        public static void AddJob(Runspace runspace, string jobId, string module, string what, bool massUpdate)
        {
            if (runspace == null || jobId == null) return;
            var jobs = Slots.GetValue(runspace, _ => new Slot()).Jobs;
            lock (jobs)
            {
                jobs.RemoveAll(j => j.JobId == jobId);
                jobs.Insert(0, new RecentJob { JobId = jobId, Module = module, What = what, MassUpdate = massUpdate, Created = DateTimeOffset.Now });
                if (jobs.Count > JobsKept) jobs.RemoveRange(JobsKept, jobs.Count - JobsKept);
            }
        }

        public static IReadOnlyList<RecentJob> RecentJobs(Runspace runspace)
        {
            if (runspace == null || !Slots.TryGetValue(runspace, out var slot)) return new RecentJob[0];
            lock (slot.Jobs) return slot.Jobs.ToArray();
        }
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
