namespace Ferry.Core.Changes;

/// <summary>The topics of <see cref="IChangeNotices"/>, and what their keys are.</summary>
public static class ChangeTopics
{
    /// <summary>A web service version; the key is <see cref="WebServiceKey"/>.</summary>
    public const string WebService = "webservice";

    /// <summary>An online endpoint, its keys, traffic or deployments; the key is "resourceGroup/workspace/endpoint".</summary>
    public const string OnlineEndpoint = "endpoint";

    /// <summary>
    /// What tokens stand for: a login was revoked (the key is its id), or a user's role changed or a
    /// user or service principal was removed (the key is <see cref="AllLogins"/>: rare, and cheap to re-read).
    /// </summary>
    public const string Auth = "auth";

    /// <summary>A run was asked to stop; the key is its id. The node running it stops it.</summary>
    public const string RunCancel = "runcancel";

    /// <summary>A batch execution was canceled and deleted; the key is its id. The node running it stops it.</summary>
    public const string BatchCancel = "batchcancel";

    /// <summary>The <see cref="Auth"/> key that stands for every login.</summary>
    public const string AllLogins = "*";

    /// <summary>"name/version": neither may hold a '/' (names are checked before publishing).</summary>
    public static string WebServiceKey(string name, string version) => $"{name}/{version}";
}
