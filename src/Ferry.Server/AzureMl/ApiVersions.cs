using Ferry.Core.Errors;

namespace Ferry.Server.AzureMl;

/// <summary>
/// The api-versions ARM routes accept, per resource provider, as ARM does: every published version
/// of the provider is answered; an unknown one is ARM's <c>UnsupportedApiVersionValue</c>.
/// </summary>
internal static class ApiVersions
{
    /// <summary>
    /// Microsoft.Resources (subscriptions and resource groups) from 2019 on, the subscriptions API's
    /// own versions, and 2019-11-01, which the Azure ML REST walk sends to every ARM call.
    /// </summary>
    public static readonly IReadOnlyList<string> Resources =
    [
        "2019-03-01", "2019-05-01", "2019-05-10", "2019-06-01", "2019-07-01", "2019-08-01", "2019-10-01", "2019-11-01",
        "2020-01-01", "2020-06-01", "2020-08-01", "2020-10-01", "2021-01-01", "2021-04-01", "2022-09-01", "2022-12-01",
        "2023-07-01", "2024-03-01", "2024-07-01", "2024-11-01", "2025-03-01", "2025-04-01",
    ];

    /// <summary>Microsoft.MachineLearningServices: the versions of the resource-manager specs (reference/azureml/.../readme.md).</summary>
    public static readonly IReadOnlyList<string> MachineLearningServices =
    [
        "2018-03-01-preview", "2018-11-19", "2019-05-01", "2019-06-01", "2019-11-01", "2020-01-01", "2020-02-18-preview",
        "2020-03-01", "2020-04-01", "2020-04-01-preview", "2020-05-01-preview", "2020-05-15-preview", "2020-06-01",
        "2020-08-01", "2020-09-01-preview", "2021-01-01", "2021-03-01-preview", "2021-04-01", "2021-07-01",
    ];

    /// <summary>Throws ARM's error for a missing or unknown version of the provider the route belongs to.</summary>
    public static void Check(HttpContext context)
    {
        var pattern = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "";
        var supported = pattern.Contains(ArmLinks.Provider, StringComparison.OrdinalIgnoreCase) ? MachineLearningServices : Resources;
        var apiVersion = context.Request.Query["api-version"].ToString();
        if (apiVersion.Length == 0)
        {
            throw new FerryException(
                FerryErrorKind.BadRequest,
                $"The api-version query parameter (?api-version=) is required for all requests. The supported api-versions are '{string.Join(", ", supported)}'.",
                code: "MissingApiVersionParameter");
        }

        if (!supported.Contains(apiVersion, StringComparer.OrdinalIgnoreCase))
        {
            throw new FerryException(
                FerryErrorKind.BadRequest,
                $"Unsupported api-version '{apiVersion}'. The supported api-versions are '{string.Join(", ", supported)}'.",
                code: "UnsupportedApiVersionValue");
        }
    }
}
