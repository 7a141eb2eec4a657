namespace ZohoCrm.Emulator;

/// <summary>The fault rules of one emulator instance, their counters, the seeded random and the log. Thread-safe.</summary>
internal sealed class FaultInjector(int seed)
{
    private readonly Lock _gate = new();
    private readonly Random _random = new(seed);
    private readonly List<ActiveRule> _rules = new();
    private readonly List<InjectedFault> _log = new();
    private int _lastId;

    /// <summary>Called (outside the lock) for every applied fault; Program prints them.</summary>
    public Action<InjectedFault>? Applied { get; set; }

    public int Seed => seed;

    public int Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!Enum.IsDefined(rule.Kind))
        {
            throw new ArgumentOutOfRangeException(nameof(rule), $"Unknown fault kind {(int)rule.Kind}.");
        }
        lock (_gate)
        {
            var id = ++_lastId;
            _rules.Add(new ActiveRule(id, rule) { TimesLeft = rule.Times });
            return id;
        }
    }

    public void Remove(int id)
    {
        lock (_gate)
        {
            _rules.RemoveAll(r => r.Id == id);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return _rules.Select(r => r.Rule).ToArray();
            }
        }
    }

    public IReadOnlyList<InjectedFault> Log
    {
        get
        {
            lock (_gate)
            {
                return _log.ToArray();
            }
        }
    }

    /// <summary>The fault for this request, if a rule matches and fires (its Skip and Times counters move on).</summary>
    public FiredFault? Decide(string method, string path)
    {
        lock (_gate)
        {
            foreach (var r in _rules)
            {
                if ((r.Rule.Method is { } m && !string.Equals(m, method, StringComparison.OrdinalIgnoreCase))
                    || !path.Contains(r.Rule.PathContains, StringComparison.Ordinal))
                {
                    continue;
                }
                if (r.Skipped < r.Rule.Skip)
                {
                    r.Skipped++;
                    continue;
                }
                if (r.TimesLeft <= 0)
                {
                    continue;
                }
                var p = r.Rule.Probability;
                var fires = p >= 1 || (p > 0 && _random.NextDouble() < p);
                if (!fires)
                {
                    continue;
                }
                if (r.TimesLeft is { } left)
                {
                    r.TimesLeft = left - 1;
                }
                return new FiredFault(r.Id, r.Rule);
            }
            return null;
        }
    }

    /// <summary>Gives a fired fault that turned out not to apply (a ZIP-altering kind on another answer) its turn back.</summary>
    public void Refund(FiredFault fault)
    {
        lock (_gate)
        {
            if (_rules.FirstOrDefault(r => r.Id == fault.RuleId) is { TimesLeft: { } left } r)
            {
                r.TimesLeft = left + 1;
            }
        }
    }

    public void Record(FaultKind kind, string method, string path, long? bytesSent = null)
    {
        var f = new InjectedFault(DateTimeOffset.UtcNow, kind, method, path, bytesSent);
        lock (_gate)
        {
            _log.Add(f);
        }
        Applied?.Invoke(f);
    }

    private sealed class ActiveRule(int id, FaultRule rule)
    {
        public int Id => id;
        public FaultRule Rule => rule;
        public int Skipped;
        public int? TimesLeft;
    }
}

internal readonly record struct FiredFault(int RuleId, FaultRule Rule)
{
    public FaultKind Kind => Rule.Kind;

    /// <summary>Kinds that answer (or drop) instead of processing, before routing and authentication.</summary>
    public bool ReplacesProcessing => Kind is not (FaultKind.DropAfterProcessing or FaultKind.Slow or FaultKind.ExpireTokens
        or FaultKind.TruncatedBody or FaultKind.TrickleBody) && !AltersZip;

    /// <summary>Kinds that alter a ZIP answer after processing, and only apply (and are only logged) when there is one.</summary>
    public bool AltersZip => Kind is FaultKind.DamagedZip or FaultKind.ResultRowMissing or FaultKind.ResultRowsSwapped;

    /// <summary>Kinds whose body is written over time (HostileBodies.cs); they are logged once it ends, with the bytes sent.</summary>
    public bool IsHostileBody => HostileBodies.Handles(Kind);
}
