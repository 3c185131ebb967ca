using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Ferry.Core;
using Ferry.Core.Nodes;
using Ferry.Core.Status;
using Ferry.Execution;
using Ferry.Server.Auth;
using Ferry.Server.AzureMl;
using Ferry.Server.ComputeNodes;
using Ferry.Server.Diagnostics;
using Ferry.Server.Errors;
using Ferry.Server.Hosting;
using Ferry.Server.OpenApi;
using Ferry.Server.Portal;
using Ferry.Server.Sessions;
using Ferry.Server.Snapshots;
using Ferry.Server.Status;
using Ferry.Server.WebServices;
using Ferry.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Ferry.Server;

/// <summary>Ferry's web node and local compute node in one process: the table of contents.</summary>
public static class FerryServer
{
    /// <summary>Builds the server from command-line style arguments and extra settings (the CLI's).</summary>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddFerryHosting();
        var role = builder.AddFerryNode();
        builder.Services.AddFerryCore().AddFerryStorage().AddFerryExecution(hostsWorkers: role != NodeRole.Web);
        if (role != NodeRole.Web)
        {
            builder.Services.AddHostedService<IdleSessionSweeper>();
        }

        if (role == NodeRole.Compute)
        {
            builder.Services.AddSingleton<NodeKey>();
        }

        if (role != NodeRole.Compute)
        {
            builder.Services.AddHostedService<BatchHost>();
        }

        if (role == NodeRole.Web)
        {
            builder.Services.AddComputeNodeClient();
        }
        builder.AddFerryAuth();
        builder.Services.AddFerryErrors();
        builder.Services.AddFerryOpenApi();
        builder.Services.AddSingleton<IStatusContributor, AuthenticationStatusContributor>();
        builder.Services.AddSingleton<PortalAssets>();

        var app = builder.Build();
        app.UseFerryMetrics();

        // Every answer is what its Content-Type says: a run's log (text user code wrote) is never sniffed into HTML.
        app.Use((context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return next(context);
        });
        app.UseMiddleware<RequestLog>();
        app.UseFerryErrors();
        if (role == NodeRole.Compute)
        {
            app.UseMiddleware<ComputeNodeGuard>();
            app.MapInternalEndpoints();
        }

        app.UseBodySizeLimit(app.Services.GetRequiredService<IOptions<FerryServerOptions>>().Value.MaxRequestBodyBytes);
        app.UseAuthentication();
        if (role == NodeRole.Web)
        {
            app.UseMiddleware<SessionForwarder>();
        }

        app.UseAuthorization();

        // Every API route needs a token unless it says otherwise (login does). Not a fallback policy:
        // the framework's own 405/415 endpoints must answer as such, not with 401.
        var api = app.MapGroup("").RequireAuthorization();
        api.MapAuthEndpoints();
        api.MapStatusEndpoints();
        api.MapComputeNodeEndpoints();
        api.MapSessionEndpoints();
        api.MapSnapshotEndpoints();
        api.MapWebServiceEndpoints();
        api.MapRealtimeServiceEndpoints();
        api.MapConsumeEndpoints();
        api.MapBatchEndpoints();
        api.MapOAuthEndpoints();
        api.MapArmEndpoints();
        api.MapRunEndpoints(app);
        api.MapModelEndpoints();
        app.MapFerryOpenApi();
        app.MapPortalEndpoints();
        return app;
    }

    private static void AddFerryHosting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<FerryServerOptions>().BindConfiguration(FerryServerOptions.Section)
            .Validate(
                o => string.IsNullOrEmpty(o.AdminPassword) || o.AdminPassword.Length >= Core.Users.UserService.MinPasswordLength,
                $"FERRY_ADMIN_PASSWORD (Ferry:Server:AdminPassword) must be at least {Core.Users.UserService.MinPasswordLength} characters long, as every password; or leave it unset to have one generated.")
            .ValidateOnStart();
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } configured ? configured : FerryServerOptions.DefaultUrls;
        builder.AddFerryTelemetry(urls); // the API's addresses and, beside them, the metrics listener's

        // One source for the body limit: the bound options, read by Kestrel and by the early check alike.
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<FerryServerOptions>>((kestrel, ferry) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = ferry.Value.MaxRequestBodyBytes;
        });
        // The framework's per-request lines would triple the log; Ferry writes one line per request itself.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Data Protection warns that its key files are unencrypted: they are owner-only in the owner-only data directory, like the JWT key.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());

            // {"a":1,"a":2} means nothing one way; refused when read, never a failure deep in a handler.
            o.SerializerOptions.AllowDuplicateProperties = false;
            o.SerializerOptions.Converters.Add(new StrictJsonNodeConverter<JsonNode>());
            o.SerializerOptions.Converters.Add(new StrictJsonNodeConverter<JsonObject>());
            o.SerializerOptions.Converters.Add(new StrictJsonNodeConverter<JsonArray>());
        });
        builder.Services.AddSingleton<ServerInfo>();
        builder.Services.AddHostedService<FerryStartup>();
    }
}
