using System.Security.Cryptography;

namespace ZohoCrm.Emulator;

/// <summary>What a presented access token is: unknown, valid, expired, or one of another data center.</summary>
internal enum TokenCheck { Unknown, Valid, Expired, OtherDataCenter }

/// <summary>What a refresh grant came to; only <see cref="Issued"/> hands out a token.</summary>
internal enum RefreshOutcome { Issued, UnsupportedGrantType, InvalidClient, InvalidCode, TooManyRefreshes }

/// <summary>Issued access tokens, their expiry and the refresh counters per refresh token. Thread-safe.</summary>
internal sealed class TokenStore(EmulatorOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _refreshes = new(StringComparer.Ordinal);
    private int _issued;

    /// <summary>Successful token refreshes.</summary>
    public int Issued => Volatile.Read(ref _issued);

    /// <summary>Every issued token (not the static one) becomes expired.</summary>
    public void ExpireAll()
    {
        lock (_gate)
        {
            foreach (var key in _tokens.Keys.ToArray())
            {
                _tokens[key] = DateTimeOffset.MinValue;
            }
        }
    }

    public TokenCheck Check(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return TokenCheck.Unknown;
        }
        if (token == options.StaticAccessToken)
        {
            return TokenCheck.Valid;
        }
        if (token.StartsWith(EmulatorOptions.OtherDataCenterTokenPrefix, StringComparison.Ordinal))
        {
            return TokenCheck.OtherDataCenter;
        }
        lock (_gate)
        {
            if (!_tokens.TryGetValue(token, out var expires))
            {
                return TokenCheck.Unknown;
            }
            return DateTimeOffset.UtcNow < expires ? TokenCheck.Valid : TokenCheck.Expired;
        }
    }

    /// <summary>
    /// A refresh_token grant: the client and refresh token must be the configured ones, and at most
    /// <see cref="EmulatorOptions.RefreshLimit"/> tokens are issued per <see cref="EmulatorOptions.RefreshWindow"/>.
    /// </summary>
    public (RefreshOutcome Outcome, string? Token) Refresh(string? grantType, string? clientId, string? clientSecret, string? refreshToken)
    {
        if (grantType != "refresh_token")
        {
            return (RefreshOutcome.UnsupportedGrantType, null);
        }
        if (clientId != options.ClientId || clientSecret != options.ClientSecret)
        {
            return (RefreshOutcome.InvalidClient, null);
        }
        if (refreshToken is null || refreshToken != options.RefreshToken)
        {
            return (RefreshOutcome.InvalidCode, null);
        }

        var now = DateTimeOffset.UtcNow;
        lock (_gate)
        {
            if (!_refreshes.TryGetValue(refreshToken, out var times))
            {
                _refreshes[refreshToken] = times = new Queue<DateTimeOffset>();
            }
            while (times.Count > 0 && now - times.Peek() >= options.RefreshWindow)
            {
                times.Dequeue();
            }
            if (times.Count >= options.RefreshLimit)
            {
                return (RefreshOutcome.TooManyRefreshes, null);
            }
            times.Enqueue(now);
            var prefix = options.IssueOtherDataCenterTokens ? EmulatorOptions.OtherDataCenterTokenPrefix : "1000.";
            var token = prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            _tokens[token] = now + options.TokenLifetime;
            _issued++;
            return (RefreshOutcome.Issued, token);
        }
    }

    public void Revoke(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return;
        }
        lock (_gate)
        {
            _tokens.Remove(token);
        }
    }
}
