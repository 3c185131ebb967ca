using Ferry.Core.Auth;
using Ferry.Core.Status;
using Ferry.Core.Users;
using Microsoft.Extensions.Options;

namespace Ferry.Server.Status;

/// <summary>Reports the authentication mode and whether an Owner can log in.</summary>
internal sealed class AuthenticationStatusContributor(IUserStore users, IOptions<AuthOptions> options) : IStatusContributor
{
    public string Name => "authentication";

    public async Task<StatusNode> CheckAsync(CancellationToken cancellationToken)
    {
        var all = await users.ListAsync(cancellationToken);
        var owners = all.Count(u => u.Role == Role.Owner);
        var local = StatusNode.Leaf(owners > 0 ? StatusCode.Pass : StatusCode.Warn, new Dictionary<string, object?>
        {
            ["users"] = all.Count,
            ["owners"] = owners,
            ["accessTokenLifetimeSeconds"] = (long)options.Value.AccessTokenLifetime.TotalSeconds,
            ["refreshTokenIdleLifetimeHours"] = options.Value.RefreshTokenIdleLifetime.TotalHours,
            ["refreshTokenAbsoluteLifetimeDays"] = options.Value.RefreshTokenAbsoluteLifetime.TotalDays,
        });
        return StatusNode.Of(
            new Dictionary<string, object?> { ["mode"] = "local" },
            new Dictionary<string, StatusNode> { ["local"] = local });
    }
}
